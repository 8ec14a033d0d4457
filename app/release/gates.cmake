# Promotion gates (issue #7): the release sections of the policy bundle,
# the pure gate engine evaluate(policy, facts) and the approval rules.
raize_core_library(core_gates
    SOURCES
        gatepolicy.cpp gatepolicy.h
        gates.cpp gates.h
        approval.cpp approval.h
        migrationcheck.cpp migrationcheck.h
    DEPS core_base core_policy)
# What the gates look at, gathered from Vercel, GitHub, the flag service and
# the changelog (the headless `gates check` that CI runs is in app/cli/).
raize_core_library(core_gatefacts
    SOURCES
        factscollector.cpp factscollector.h
        migrationsource.cpp migrationsource.h
    DEPS core_gates core_records core_github core_vercel core_flags core_launchdarkly core_slometrics)
