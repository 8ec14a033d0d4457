# FlagService on LaunchDarkly's REST API v2 (issue #6).
raize_core_library(core_launchdarkly
    SOURCES launchdarkly/launchdarklyclient.cpp launchdarkly/launchdarklyclient.h
    DEPS core_flags core_net)
