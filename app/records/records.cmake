raize_core_library(core_records
    SOURCES
        auditexport.cpp auditexport.h
        auditlines.cpp auditlines.h
        auditlog.cpp auditlog.h
        auditrecord.cpp auditrecord.h
        auditverifier.cpp auditverifier.h
        changelog.cpp changelog.h
        changeloglinter.cpp changeloglinter.h
        journal.cpp journal.h
        recordspolicy.cpp recordspolicy.h
        evidencenotes.cpp evidencenotes.h
        releasenotes.cpp releasenotes.h
        semver.cpp semver.h
    DEPS core_base core_policy)
