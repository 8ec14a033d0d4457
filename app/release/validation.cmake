# Post-release validation (playbook §6.3, issue #19 item 4): the SLOs over the
# level's window after a production promotion, a state file per run, and the
# session that observes and writes the journal entry (services passed in).
raize_core_library(core_validation
    SOURCES
        postreleasevalidation.cpp postreleasevalidation.h
        validationsession.cpp validationsession.h
    DEPS core_base core_slo core_records)

# Release notes from the promoted release's evidence (playbook §9.2, issue #19
# item 5): the review's facts and gates, the canary plan, the rollback, incidents.
raize_core_library(core_releaseevidence
    SOURCES releaseevidence.cpp releaseevidence.h
    DEPS core_gates core_rollout core_records)
