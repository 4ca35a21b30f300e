# SPDX-License-Identifier: GPL-3.0-or-later
# vigil_common: the flags every Vigil target shares.
add_library(vigil_common INTERFACE)
target_compile_features(vigil_common INTERFACE cxx_std_20)
target_compile_definitions(vigil_common INTERFACE
    QT_NO_CONTEXTLESS_CONNECT
    QT_USE_QSTRINGBUILDER
    QT_NO_URL_CAST_FROM_STRING
    QT_NO_NARROWING_CONVERSIONS_IN_CONNECT
    QT_DISABLE_DEPRECATED_BEFORE=0x060400
    VIGIL_VERSION="${PROJECT_VERSION}")
target_compile_options(vigil_common INTERFACE
    -Wall -Wextra -Wpedantic $<$<CXX_COMPILER_ID:GNU>:-Wshadow=local> -Wnon-virtual-dtor -Wcast-align
    -Woverloaded-virtual -Wimplicit-fallthrough)
if(VIGIL_WERROR)
    target_compile_options(vigil_common INTERFACE -Werror)
endif()
if(VIGIL_SANITIZE)
    target_compile_options(vigil_common INTERFACE -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
    target_link_options(vigil_common INTERFACE -fsanitize=address,undefined)
endif()

# vigil_add_area_library(NAME SOURCES... [PUBLIC_LIBS ...] [PRIVATE_LIBS ...])
function(vigil_add_area_library name)
    cmake_parse_arguments(ARG "" "" "SOURCES;PUBLIC_LIBS;PRIVATE_LIBS" ${ARGN})
    add_library(${name} STATIC ${ARG_SOURCES})
    target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR}/core)
    target_link_libraries(${name} PUBLIC vigil_common Qt6::Core ${ARG_PUBLIC_LIBS} PRIVATE ${ARG_PRIVATE_LIBS})
endfunction()
