raize_core_library(core_rollback
    SOURCES
        rollbackplan.cpp rollbackplan.h
        canaryabort.cpp canaryabort.h
        blastradius.cpp blastradius.h
        killswitchparent.cpp killswitchparent.h
        defaultscope.cpp defaultscope.h
        rollbackrestore.cpp rollbackrestore.h
        stagedrestore.cpp stagedrestore.h
        runjournal.cpp runjournal.h
        rollbackexecutor.cpp rollbackexecutor.h
        rollbackfacts.cpp rollbackfacts.h
        rollbackreport.cpp rollbackreport.h
        rollbacksession.cpp rollbacksession.h
        triggerrules.cpp triggerrules.h
        triggerdetector.cpp triggerdetector.h
        stabilitycheck.cpp stabilitycheck.h
    DEPS core_base core_net core_policy core_records core_flags core_vercel core_github core_prometheus core_rollout core_workspace
         core_gates core_gatefacts core_effective)
# The postmortem issue's template (issue #16, item 8), compiled in.
qt_add_resources(core_rollback "core_rollback_templates"
    PREFIX "/templates"
    BASE "${PROJECT_SOURCE_DIR}/resources/templates"
    FILES "${PROJECT_SOURCE_DIR}/resources/templates/postmortem.md")
