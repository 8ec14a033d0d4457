# Promotion gates (issue #7): the release sections of the policy bundle,
# the pure gate engine evaluate(policy, facts) and the approval rules.
raize_core_library(core_gates
    SOURCES
        gatepolicy.cpp gatepolicy.h
        gates.cpp gates.h
        approval.cpp approval.h
    DEPS core_base core_policy)
