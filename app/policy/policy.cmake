# The policy bundle (playbook as data): loading, line-precise errors, and the
# built-in bundle resources/policy/playbook-v1.json compiled into the library.
# Each subsystem reads its own section (cohorts, slos, gates, rollback, ...).
raize_core_library(core_policy
    SOURCES
        policybundle.cpp policybundle.h
        policydiff.cpp policydiff.h
        sideeffectflags.cpp sideeffectflags.h
        jsonpositions.cpp jsonpositions.h
        confirmations.cpp confirmations.h
    DEPS core_base)
qt_add_resources(core_policy "core_policy_builtin"
    PREFIX "/policy"
    BASE "${PROJECT_SOURCE_DIR}/resources/policy"
    FILES "${PROJECT_SOURCE_DIR}/resources/policy/playbook-v1.json")
