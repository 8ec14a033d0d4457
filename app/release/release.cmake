raize_core_library(core_release
    SOURCES
        environmentpoller.cpp environmentpoller.h
        flagpoller.cpp flagpoller.h
        freshness.h
    DEPS core_base core_net core_vercel core_flags)
