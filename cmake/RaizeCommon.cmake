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

# raize_check_cli_layer(<cli target> <core libraries...>)
# Fails the configure step when a core library links the CLI library, directly
# or through another target, or compiles a subcommand (a *command.cpp or
# *cli.cpp file): the CLI drives the core, the core never links back
# (docs/HACKING.md, "Headless subcommands").
function(raize_check_cli_layer cli)
    set(libs ${ARGN})
    list(REMOVE_ITEM libs ${cli})
    foreach(lib IN LISTS libs)
        set(seen "")
        set(queue ${lib})
        set(via_${lib} "")
        set(vias ${lib})
        while(queue)
            list(POP_FRONT queue t)
            if(t IN_LIST seen OR NOT TARGET ${t} OR t MATCHES "::")
                continue()
            endif()
            list(APPEND seen ${t})
            set(deps "")
            foreach(prop LINK_LIBRARIES INTERFACE_LINK_LIBRARIES)
                get_target_property(d ${t} ${prop})
                if(d)
                    list(APPEND deps ${d})
                endif()
            endforeach()
            foreach(d IN LISTS deps)
                if(d STREQUAL cli)
                    message(FATAL_ERROR "${lib} links ${cli} (through ${t}${via_${t}}): a core library must not link the CLI. "
                        "Move the code that needs the CLI into app/cli/ and let ${cli} link ${lib} instead.")
                endif()
                if(NOT DEFINED via_${d})
                    set(via_${d} " <- ${t}${via_${t}}")
                    list(APPEND vias ${d})
                endif()
                list(APPEND queue ${d})
            endforeach()
        endwhile()
        foreach(v IN LISTS vias)
            unset(via_${v})
        endforeach()
        get_target_property(srcs ${lib} SOURCES)
        foreach(src IN LISTS srcs)
            if(src MATCHES "(command|cli)\\.cpp$")
                message(FATAL_ERROR "${lib} compiles ${src}: every subcommand lives in app/cli/ and is compiled into ${cli}.")
            endif()
        endforeach()
    endforeach()
endfunction()
