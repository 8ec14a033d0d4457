# The release sandbox's simulated production service (issue #5).
add_library(fake_http STATIC
    http/httpserver.cpp http/httpserver.h
    http/faultinjector.cpp http/faultinjector.h
    http/requestlog.cpp http/requestlog.h
    http/reverseproxy.cpp http/reverseproxy.h)
target_include_directories(fake_http PUBLIC "${CMAKE_CURRENT_SOURCE_DIR}")
target_link_libraries(fake_http PUBLIC raize_compile_settings core_base Qt6::Network)

add_library(fake_vercel STATIC vercel/vercelfake.cpp vercel/vercelfakerollingrelease.cpp vercel/vercelfake.h)
target_link_libraries(fake_vercel PUBLIC fake_http)

add_library(fake_github STATIC github/githubfake.cpp github/githubfake.h github/githubfakejournal.cpp)
target_link_libraries(fake_github PUBLIC fake_http)

add_library(fake_launchdarkly STATIC launchdarkly/launchdarklyfake.cpp launchdarkly/launchdarklyfake.h)
target_link_libraries(fake_launchdarkly PUBLIC fake_http)

add_library(fake_platform STATIC
    platform/flagevaluator.cpp platform/flagevaluator.h
    platform/platformfault.cpp platform/platformfault.h
    platform/platformsim.cpp platform/platformsim.h platform/platformsplit.cpp
    platform/trafficmodel.cpp platform/trafficmodel.h
    platform/unleashseeder.cpp platform/unleashseeder.h)
target_link_libraries(fake_platform PUBLIC fake_http fake_vercel)

add_executable(raize-sandbox-service sandbox/main.cpp)
target_link_libraries(raize-sandbox-service PRIVATE fake_platform fake_github fake_launchdarkly)

# What tests use to start the whole sandbox and to call it.
add_library(sandbox_fixture STATIC sandboxfixture.cpp sandboxfixture.h)
target_include_directories(sandbox_fixture PUBLIC "${CMAKE_CURRENT_SOURCE_DIR}")
target_link_libraries(sandbox_fixture PUBLIC raize_compile_settings Qt6::Network)
target_compile_definitions(sandbox_fixture PRIVATE
    RAIZE_SOURCE_DIR="${PROJECT_SOURCE_DIR}" RAIZE_BINARY_DIR="${PROJECT_BINARY_DIR}")
add_dependencies(sandbox_fixture raize-sandbox-service)
