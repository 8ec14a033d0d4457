raize_core_library(core_github
    SOURCES
        github/githubclient.cpp github/githubclient.h
        github/githubcontents.cpp
        github/githubjournalpublisher.cpp github/githubjournalpublisher.h
        github/githubreleasepublisher.cpp github/githubreleasepublisher.h
    DEPS core_net core_records)
