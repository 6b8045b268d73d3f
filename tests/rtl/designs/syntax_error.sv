// For tests/rtl/test_verify_cli.cpp: a module with a syntax error (a missing semicolon) on line 5.
module syntax_error #(parameter int LANES = 8) (
    input wire logic clk
);
    logic a
    always_ff @(posedge clk) a <= 1'b1;
endmodule
