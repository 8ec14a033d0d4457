raize_core_library(core_github
    SOURCES
        github/auditheadpublisher.cpp github/auditheadpublisher.h
        github/githubclient.cpp github/githubclient.h
        github/githubcontents.cpp
        github/githubjournalpublisher.cpp github/githubjournalpublisher.h
        github/githubreleasepublisher.cpp github/githubreleasepublisher.h
    DEPS core_net core_records)
