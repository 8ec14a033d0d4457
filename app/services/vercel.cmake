raize_core_library(core_vercel
    SOURCES vercel/vercelclient.cpp vercel/vercelclient.h
    DEPS core_net)
