raize_core_library(core_records
    SOURCES
        auditexport.cpp auditexport.h
        auditheadqueue.cpp auditheadqueue.h
        auditlines.cpp auditlines.h
        auditlog.cpp auditlog.h
        auditpublication.cpp auditpublication.h
        auditrecord.cpp auditrecord.h
        auditverifier.cpp auditverifier.h
        changelog.cpp changelog.h
        changeloglinter.cpp changeloglinter.h
        journal.cpp journal.h
        recordspolicy.cpp recordspolicy.h
        evidencenotes.cpp evidencenotes.h
        releasenotes.cpp releasenotes.h
        semver.cpp semver.h
        settingsaudit.cpp settingsaudit.h
    DEPS core_base core_policy)
