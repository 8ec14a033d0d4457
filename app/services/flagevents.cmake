# The flag service's event log for the timeline (issue #19 item 1): Unleash's
# event search and LaunchDarkly's audit log, flag changes whoever made them.
raize_core_library(core_flagevents
    SOURCES flags/flageventlog.cpp flags/flageventlog.h
    DEPS core_base core_net core_flags)
