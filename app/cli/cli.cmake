raize_core_library(core_cli
    SOURCES
        cli.cpp cli.h
        releasenotescommand.cpp
        settingscommand.cpp
        tokencommand.cpp
    DEPS core_base core_records core_net core_github core_vercel core_rollback core_gatefacts)
