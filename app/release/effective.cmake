# Effective, not just accepted (issue #20 item 6, ADR 0027): the policy's
# `effective` rules, the verdict on one round of reads (pure), the production
# probe behind the ServingProbe interface, and the confirmer that polls until
# the change is effective or the deadline passes.
raize_core_library(core_effective
    SOURCES
        effectiveness.cpp effectiveness.h
        servingprobe.cpp servingprobe.h
        effectiveconfirmer.cpp effectiveconfirmer.h
    DEPS core_base core_net core_policy core_vercel)
