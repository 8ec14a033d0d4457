raize_core_library(core_prometheus
    SOURCES prometheus/prometheusclient.cpp prometheus/prometheusclient.h
    DEPS core_net)
