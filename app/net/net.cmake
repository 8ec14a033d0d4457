raize_core_library(core_net
    SOURCES
        endpoint.cpp endpoint.h
        httpclient.cpp httpclient.h
        jsonreader.cpp jsonreader.h
        requestpreview.cpp requestpreview.h
        ratelimit.cpp ratelimit.h
        serviceerror.cpp serviceerror.h
    DEPS core_base)
