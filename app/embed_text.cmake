# Generates a .cpp that holds one text file as a C string (the report's plotting script).
file(READ ${INPUT} text)
file(WRITE ${OUTPUT}.tmp "// Generated from ${NAME} by app/embed_text.cmake. Do not edit.\nnamespace ssmsim::cli {\nextern const char* const ${SYMBOL};\nconst char* const ${SYMBOL} = R\"ssmsim_text(${text})ssmsim_text\";\n}  // namespace ssmsim::cli\n")
execute_process(COMMAND ${CMAKE_COMMAND} -E copy_if_different ${OUTPUT}.tmp ${OUTPUT})
