# The one flag-backend factory (issue #14): Unleash or LaunchDarkly from the
# profile's flags kind. Its own library because it links both backends.
raize_core_library(core_flagbackend
    SOURCES flags/flagbackend.cpp flags/flagbackend.h
    DEPS core_flags core_launchdarkly)
