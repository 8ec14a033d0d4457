# Shared compile settings and the two helpers every subsystem uses.
#
# raize_compile_settings: one INTERFACE target that carries the settings for
# every target (qBittorrent's CommonConfig).
add_library(raize_compile_settings INTERFACE)
target_compile_features(raize_compile_settings INTERFACE cxx_std_20)
target_compile_options(raize_compile_settings INTERFACE
    -Wall -Wextra -Wpedantic
    $<$<BOOL:${RAIZE_WERROR}>:-Werror>)
target_compile_definitions(raize_compile_settings INTERFACE
    QT_NO_CAST_FROM_ASCII
    QT_NO_CAST_TO_ASCII
    QT_NO_CONTEXTLESS_CONNECT   # enforced by Qt >= 6.7; documents intent on 6.4
    QT_NO_KEYWORDS
    QT_NO_URL_CAST_FROM_STRING
    QT_USE_QSTRINGBUILDER
    RAIZE_VERSION="${PROJECT_VERSION}")

# Libraries that make up console_core. Each subsystem is its own static
# library so it builds and tests on its own; console_core gathers them.
set_property(GLOBAL PROPERTY RAIZE_CORE_LIBS "")

# raize_core_library(<name> SOURCES <files...> [DEPS <targets...>])
# A core library may link only Qt6::Core, Qt6::Network, nlohmann_json,
# Qt6Keychain, OpenSSL::Crypto (SHA-256, ADR 0010) and other core libraries:
# never Widgets (checked below).
function(raize_core_library name)
    cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
    add_library(${name} STATIC ${ARG_SOURCES})
    target_include_directories(${name} PUBLIC "${PROJECT_SOURCE_DIR}/app")
    target_link_libraries(${name} PUBLIC
        raize_compile_settings Qt6::Core Qt6::Network nlohmann_json::nlohmann_json ${ARG_DEPS})
    foreach(dep IN LISTS ARG_DEPS)
        if(dep MATCHES "Widgets|Gui|Charts|Svg")
            message(FATAL_ERROR "${name}: console_core must not link ${dep} (STYLE.md §1)")
        endif()
    endforeach()
    set_property(GLOBAL APPEND PROPERTY RAIZE_CORE_LIBS ${name})
endfunction()

# Includes every *.cmake fragment of the current directory, so that each
# subsystem owns its own build file (app/release/slo.cmake, ...).
macro(raize_include_fragments)
    file(GLOB _raize_fragments CONFIGURE_DEPENDS "${CMAKE_CURRENT_SOURCE_DIR}/*.cmake")
    list(SORT _raize_fragments)
    foreach(_f IN LISTS _raize_fragments)
        include("${_f}")
    endforeach()
endmacro()
