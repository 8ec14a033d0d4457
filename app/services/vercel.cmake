raize_core_library(core_vercel
    SOURCES vercel/vercelclient.cpp vercel/vercelclient.h vercel/rollingreleaseclient.cpp vercel/rollingreleaseclient.h
    DEPS core_net)
