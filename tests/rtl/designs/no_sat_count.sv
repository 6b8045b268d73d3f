// For tests/rtl/test_verify_cli.cpp: the example scan_unit_out_reg without its sat_count output.
`default_nettype none

module no_sat_count #(
    parameter int LANES = 64,
    parameter int LOG_NMIN = 2,
    parameter int SLOTS = 16,
    parameter int TABLE_DEPTH = 4096,
    localparam int OUTS = LANES >> LOG_NMIN,
    localparam int SLOT_W = SLOTS > 1 ? $clog2(SLOTS) : 1,
    localparam int SLOTCNT_W = $clog2(SLOTS + 1),
    localparam int PAIR_W = $clog2(LANES * SLOTS + 1),
    localparam int TIDX_W = TABLE_DEPTH > 1 ? $clog2(TABLE_DEPTH) : 1,
    localparam int TSIZE_W = $clog2(TABLE_DEPTH + 1)
) (
    input  wire logic                            clk,
    input  wire logic                            rst,
    input  wire logic                            start,
    input  wire logic                            cfg_selective,
    input  wire logic                            cfg_gated,
    input  wire logic [3:0]                      cfg_log2n,
    input  wire logic [SLOTCNT_W-1:0]            cfg_slots,
    input  wire logic [PAIR_W-1:0]               cfg_pairs,
    input  wire logic [5:0]                      cfg_exp_shift,
    input  wire logic [TSIZE_W-1:0]              cfg_table_size,
    input  wire logic [5:0]                      cfg_y_shift,
    input  wire logic [5:0]                      cfg_shift,
    input  wire logic [30:0]                     cfg_mult,
    input  wire logic [5:0]                      cfg_gate_shift,
    input  wire logic [30:0]                     cfg_gate_mult,
    input  wire logic                            st_we,
    input  wire logic [SLOT_W-1:0]               st_slot,
    input  wire logic [LANES*32-1:0]             st_wdata,
    output logic      [LANES*32-1:0]             st_rdata,
    input  wire logic                            pw_we,
    input  wire logic [SLOT_W-1:0]               pw_slot,
    input  wire logic [LANES*17-1:0]             pw_a,
    input  wire logic [LANES*16-1:0]             pw_bbar,
    input  wire logic [LANES*16-1:0]             pw_c,
    input  wire logic [LANES*32-1:0]             pw_d,
    input  wire logic                            tw_we,
    input  wire logic [TIDX_W-1:0]               tw_addr,
    input  wire logic [15:0]                     tw_data,
    input  wire logic                            lw_we,
    input  wire logic [7:0]                      lw_addr,
    input  wire logic [7:0]                      lw_data,
    input  wire logic                            s_valid,
    output logic                                 s_ready,
    input  wire logic [LANES*8-1:0]              s_x,
    input  wire logic [LANES*8-1:0]              s_dt,
    input  wire logic [LANES*8-1:0]              s_b,
    input  wire logic [LANES*8-1:0]              s_c,
    input  wire logic [LANES*8-1:0]              s_z,
    output logic                                 m_valid,
    input  wire logic                            m_ready,
    output logic      [OUTS*8-1:0]               m_data,
    output logic      [OUTS-1:0]                 m_keep
);
    // The reference unit does the work; its output stream goes through one more register.
    logic core_valid, core_ready;
    logic [OUTS*8-1:0] core_data;
    logic [OUTS-1:0] core_keep;
    scan_unit #(.LANES(LANES), .LOG_NMIN(LOG_NMIN), .SLOTS(SLOTS), .TABLE_DEPTH(TABLE_DEPTH)) core (
        .clk, .rst, .start, .cfg_selective, .cfg_gated, .cfg_log2n, .cfg_slots, .cfg_pairs, .cfg_exp_shift,
        .cfg_table_size, .cfg_y_shift, .cfg_shift, .cfg_mult, .cfg_gate_shift, .cfg_gate_mult,
        .st_we, .st_slot, .st_wdata, .st_rdata, .pw_we, .pw_slot, .pw_a, .pw_bbar, .pw_c, .pw_d,
        .tw_we, .tw_addr, .tw_data, .lw_we, .lw_addr, .lw_data,
        .s_valid, .s_ready, .s_x, .s_dt, .s_b, .s_c, .s_z,
        .m_valid(core_valid), .m_ready(core_ready), .m_data(core_data), .m_keep(core_keep), .sat_count());

    // A pipeline register on the output stream: it takes a beat when it is empty or being emptied, so
    // the core stalls exactly when this register holds a beat nobody takes.
    assign core_ready = !m_valid || m_ready;
    always_ff @(posedge clk) begin
        if (rst) begin
            m_valid <= 1'b0;
        end else if (core_ready) begin
            m_valid <= core_valid;
            m_keep <= core_keep;
            m_data <= core_data;
        end
    end
endmodule

`default_nettype wire
