# Embeds a file into the library as a C byte array, regenerated when the file changes.
#   included from CMakeLists.txt: embeds src/serve/page/index.html (the server's web page)
#   as nuri_serve_page / nuri_serve_page_len into target nuri.
#   run as a script (cmake -DIN=... -DOUT=... -DNAME=... -P embed.cmake): writes OUT.
if(CMAKE_SCRIPT_MODE_FILE)
  file(READ "${IN}" hex HEX)
  string(LENGTH "${hex}" hex_len)
  math(EXPR n "${hex_len} / 2")
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
  # one line per 32 bytes keeps the generated file readable by compilers and people
  string(REGEX REPLACE "((0x[0-9a-f][0-9a-f],){32})" "\\1\n" bytes "${bytes}")
  file(WRITE "${OUT}.tmp"
    "/* Generated from ${IN} by cmake/embed.cmake; do not edit. */\n"
    "#include <stddef.h>\n"
    "const unsigned char ${NAME}[] = {\n${bytes}0x00};\n"
    "const size_t ${NAME}_len = ${n};\n")
  file(RENAME "${OUT}.tmp" "${OUT}")
  return()
endif()

set(NURI_PAGE_SRC ${CMAKE_SOURCE_DIR}/src/serve/page/index.html)
set(NURI_PAGE_C ${CMAKE_BINARY_DIR}/generated/serve_page.c)
add_custom_command(
  OUTPUT ${NURI_PAGE_C}
  COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/generated
  COMMAND ${CMAKE_COMMAND} -DIN=${NURI_PAGE_SRC} -DOUT=${NURI_PAGE_C} -DNAME=nuri_serve_page
          -P ${CMAKE_SOURCE_DIR}/cmake/embed.cmake
  DEPENDS ${NURI_PAGE_SRC} ${CMAKE_SOURCE_DIR}/cmake/embed.cmake
  COMMENT "Embedding the web page")
target_sources(nuri PRIVATE ${NURI_PAGE_C})
