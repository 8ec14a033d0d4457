# The effective policy of a profile (issue #14, item 1; ADR 0017): the built-in
# bundle, the tenant's bundle and the profile's cohort override, parsed once
# into the typed parts every consumer reads, with the playbook's floors.
raize_core_library(core_effectivepolicy
    SOURCES
        effectivepolicy.cpp effectivepolicy.h
    DEPS core_base core_policy core_gates core_slo core_rollout core_rollback core_release core_effective core_records)
