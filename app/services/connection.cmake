# "Test connection" for each service (issue #6): who the token is, what it may do, what is missing.
raize_core_library(core_connection
    SOURCES connection/connectioncheck.cpp connection/connectioncheck.h
    DEPS core_vercel core_github core_prometheus core_flags core_flagbackend)
