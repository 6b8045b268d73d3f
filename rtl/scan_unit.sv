// The scan unit of the systolic SSM accelerator (docs/rtl.md): LANES lanes, each a pipelined
// (channel, state) update of selective_scan or s4d_scan (docs/numerics.md), with the C.h reduction, the
// D skip, the requantization and the optional SiLU gate inside the unit.
//
// A chunk maps `pairs` (channel, state) pairs onto the lanes round robin: pair p -> lane p % LANES,
// slot p / LANES (models/systolic/scan_timing.h). Each input beat is one issue slot: the operands of all
// lanes for one time step. State, per-pair parameters (A or Abar, Bbar, C, D) and the tables live in the
// unit and are written through host ports while it is idle. The recurrence takes DEPTH = 4 cycles from
// issue to the state write; a slot is not issued again before its previous update is written, so a
// chunk takes (steps - 1) * max(q, 4) + q - 1 + 4 + 6 cycles with q = ceil(pairs / LANES) slots.
//
// Stages (one register each):   R1 state/param read | R2 exp-table read, B.x | R3 Abar * h |
//   [state write] R4 new h | R5 C * h | R6 reduction tree | R7 y_shift | R8 + D * x | R9 requant + gate.
// N (states per channel) is a power of two >= 2^LOG_NMIN, so channels align with the tree: a node of
// level log2(N) is one channel's sum (N <= LANES), or the whole beat is part of one channel (N > LANES).
`default_nettype none

module scan_unit #(
    parameter int LANES = 64,            // P lanes, a power of two >= 2
    parameter int LOG_NMIN = 2,          // the output stages serve N >= 2^LOG_NMIN states per channel
    parameter int SLOTS = 16,            // pairs per lane: depth of the state and parameter memories
    parameter int TABLE_DEPTH = 4096,    // exp table entries
    parameter int ACT_W = 8,             // u, delta, B, C (selective), z and the output: int8
    parameter int PAR_W = 16,            // A (selective), Bbar and C (s4d): int16
    parameter int DECAY_W = 16,          // exp table entries and Abar: unsigned Q1.15 in [0, 32768]
    parameter int STATE_W = 32,          // h and the saturating sums: int32
    parameter int SKIP_W = 32,           // D: int32
    parameter int MULT_W = 31,           // mult and gate_mult: unsigned
    parameter EXP_INIT = "",             // $readmemh file of the exp table ("": none)
    parameter SILU_INIT = "",            // $readmemh file of the gate's SiLU LUT
    localparam int L = $clog2(LANES),
    localparam int OUTS = LANES >> LOG_NMIN,  // output stages: channels completed per beat at N = 2^LOG_NMIN
    localparam int SLOT_W = SLOTS > 1 ? $clog2(SLOTS) : 1,
    localparam int SLOTCNT_W = $clog2(SLOTS + 1),
    localparam int PAIR_W = $clog2(LANES * SLOTS + 1),
    localparam int TIDX_W = TABLE_DEPTH > 1 ? $clog2(TABLE_DEPTH) : 1,
    localparam int TSIZE_W = $clog2(TABLE_DEPTH + 1)
) (
    input  wire logic                            clk,
    input  wire logic                            rst,             // synchronous, active high
    // Configuration: stable from `start` until the chunk has drained.
    input  wire logic                            start,           // slot 0 next; clears sat_count
    input  wire logic                            cfg_selective,   // 1: selective_scan, 0: s4d_scan
    input  wire logic                            cfg_gated,       // selective_scan with the z gate
    input  wire logic [3:0]                      cfg_log2n,       // log2 of the states per channel
    input  wire logic [SLOTCNT_W-1:0]            cfg_slots,       // q, 1..SLOTS
    input  wire logic [PAIR_W-1:0]               cfg_pairs,       // channels * N, 1..LANES*SLOTS
    input  wire logic [5:0]                      cfg_exp_shift,
    input  wire logic [TSIZE_W-1:0]              cfg_table_size,  // T, 1..TABLE_DEPTH
    input  wire logic [5:0]                      cfg_y_shift,
    input  wire logic [5:0]                      cfg_shift,
    input  wire logic [MULT_W-1:0]               cfg_mult,
    input  wire logic [5:0]                      cfg_gate_shift,
    input  wire logic [MULT_W-1:0]               cfg_gate_mult,
    // Host ports, used while idle: one slot of all lanes per cycle.
    input  wire logic                            st_we,
    input  wire logic [SLOT_W-1:0]               st_slot,         // write address, and read address
    input  wire logic [LANES*STATE_W-1:0]        st_wdata,
    output logic      [LANES*STATE_W-1:0]        st_rdata,        // state of st_slot one cycle earlier
    input  wire logic                            pw_we,
    input  wire logic [SLOT_W-1:0]               pw_slot,
    input  wire logic [LANES*(PAR_W+1)-1:0]      pw_a,            // A (signed) or Abar (unsigned)
    input  wire logic [LANES*PAR_W-1:0]          pw_bbar,
    input  wire logic [LANES*PAR_W-1:0]          pw_c,
    input  wire logic [LANES*SKIP_W-1:0]         pw_d,            // D of the pair's channel
    input  wire logic                            tw_we,
    input  wire logic [TIDX_W-1:0]               tw_addr,
    input  wire logic [DECAY_W-1:0]              tw_data,
    input  wire logic                            lw_we,
    input  wire logic [ACT_W-1:0]                lw_addr,
    input  wire logic [ACT_W-1:0]                lw_data,
    // Input stream: one issue slot (all lanes of one time step).
    input  wire logic                            s_valid,
    output logic                                 s_ready,
    input  wire logic [LANES*ACT_W-1:0]          s_x,             // u of the lane's channel
    input  wire logic [LANES*ACT_W-1:0]          s_dt,            // delta of the lane's channel
    input  wire logic [LANES*ACT_W-1:0]          s_b,             // B of the lane's state
    input  wire logic [LANES*ACT_W-1:0]          s_c,             // C of the lane's state
    input  wire logic [LANES*ACT_W-1:0]          s_z,             // z of the lane's channel
    // Output stream: the channels completed by one input beat, in channel order from stage 0.
    output logic                                 m_valid,
    input  wire logic                            m_ready,
    output logic      [OUTS*ACT_W-1:0]           m_data,
    output logic      [OUTS-1:0]                 m_keep,
    output logic      [63:0]                     sat_count        // counted saturations since start
);
    localparam int LUT_N = 1 << ACT_W;
    localparam int ACC_W = 64;  // every intermediate of docs/numerics.md "Ranges" fits in int64
    localparam int Q15 = 15;

    localparam logic signed [ACC_W-1:0] STATE_MAX = (ACC_W'(1) <<< (STATE_W - 1)) - 1;
    localparam logic signed [ACC_W-1:0] STATE_MIN = -(ACC_W'(1) <<< (STATE_W - 1));
    localparam logic signed [ACC_W-1:0] ACT_MAX = (ACC_W'(1) <<< (ACT_W - 1)) - 1;
    localparam logic signed [ACC_W-1:0] ACT_MIN = -(ACC_W'(1) <<< (ACT_W - 1));

    // ---- the contract's primitives (sim/numerics/fixed_point.h) ----
    // Round half up: floor((x + 2^(s-1)) / 2^s); s = 0 returns x.
    function automatic logic signed [ACC_W-1:0] rshift_round(input logic signed [ACC_W-1:0] x,
                                                             input logic [5:0] s);
        logic signed [ACC_W-1:0] half;
        half = s == 6'd0 ? ACC_W'(0) : ACC_W'(1) <<< (s - 6'd1);
        rshift_round = (x + half) >>> s;
    endfunction
    function automatic logic state_clips(input logic signed [ACC_W-1:0] x);
        state_clips = x > STATE_MAX || x < STATE_MIN;
    endfunction
    function automatic logic signed [STATE_W-1:0] sat_state(input logic signed [ACC_W-1:0] x);
        if (x > STATE_MAX) sat_state = STATE_MAX[STATE_W-1:0];
        else if (x < STATE_MIN) sat_state = STATE_MIN[STATE_W-1:0];
        else sat_state = x[STATE_W-1:0];
    endfunction
    function automatic logic act_clips(input logic signed [ACC_W-1:0] x);
        act_clips = x > ACT_MAX || x < ACT_MIN;
    endfunction
    function automatic logic signed [ACT_W-1:0] sat_act(input logic signed [ACC_W-1:0] x);
        if (x > ACT_MAX) sat_act = ACT_MAX[ACT_W-1:0];
        else if (x < ACT_MIN) sat_act = ACT_MIN[ACT_W-1:0];
        else sat_act = x[ACT_W-1:0];
    endfunction

    // ---- memories ----
    logic signed [STATE_W-1:0] state_mem [LANES][SLOTS];
    // The parameters are written a whole slot at a time, so each memory word holds the slot of all lanes
    // (one write per memory and cycle for Verilator instead of one per lane).
    logic [LANES*(PAR_W+1)-1:0] a_mem    [SLOTS];
    logic [LANES*PAR_W-1:0]     bbar_mem [SLOTS];
    logic [LANES*PAR_W-1:0]     c_mem    [SLOTS];
    logic [LANES*SKIP_W-1:0]    d_mem    [SLOTS];
    logic        [DECAY_W-1:0] exp_tbl   [TABLE_DEPTH];
    logic signed [ACT_W-1:0]   silu_lut  [LUT_N];

    initial begin
        if (EXP_INIT != "") $readmemh(EXP_INIT, exp_tbl);
        if (SILU_INIT != "") $readmemh(SILU_INIT, silu_lut);
`ifndef SYNTHESIS
        begin
            string f;  // simulation: the harness names the files produced by the table generators
            if ($value$plusargs("scan_exp_table=%s", f)) $readmemh(f, exp_tbl);
            if ($value$plusargs("scan_silu_lut=%s", f)) $readmemh(f, silu_lut);
        end
`endif
    end

    always_ff @(posedge clk) begin
        if (pw_we) begin
            a_mem[pw_slot] <= pw_a;
            bbar_mem[pw_slot] <= pw_bbar;
            c_mem[pw_slot] <= pw_c;
            d_mem[pw_slot] <= pw_d;
        end
        if (tw_we) exp_tbl[tw_addr] <= tw_data;
        if (lw_we) silu_lut[lw_addr] <= lw_data;
    end

    // ---- pipeline control ----
    logic en;             // every stage advances; low while the output holds a beat nobody takes
    logic issue;
    logic hazard;
    logic [SLOT_W-1:0] slot;
    logic v1, v2, v3, v4, v5, v6, v7, v8;
    logic [SLOT_W-1:0] slot1, slot2, slot3;
    logic first1, first2, first3, first4, first5, first6;  // first / last beat of the channel (N > LANES)
    logic last1, last2, last3, last4, last5, last6;

    assign en = !m_valid || m_ready;
    // A slot's previous update is written at the end of its R3 cycle; issue it again only after that.
    assign hazard = (v1 && slot1 == slot) || (v2 && slot2 == slot) || (v3 && slot3 == slot);
    assign s_ready = en && !hazard;
    assign issue = s_valid && s_ready;

    logic [SLOT_W-1:0] beat_mask;  // N > LANES: slots per channel - 1
    always_comb begin
        beat_mask = '0;
        for (int i = 0; i < SLOT_W; i++) beat_mask[i] = 32'(cfg_log2n) > L + i;
    end

    always_ff @(posedge clk) begin
        if (rst || start) begin
            slot <= '0;
        end else if (issue) begin
            slot <= SLOTCNT_W'(slot) + 1'b1 == cfg_slots ? '0 : slot + 1'b1;
        end
    end

    always_ff @(posedge clk) begin
        if (rst) begin
            {v1, v2, v3, v4, v5, v6, v7, v8} <= '0;
        end else if (en) begin
            {v1, v2, v3, v4, v5, v6, v7, v8} <= {issue, v1, v2, v3, v4, v5, v6, v7};
        end
    end

    always_ff @(posedge clk) begin
        if (en) begin
            slot1 <= slot;
            slot2 <= slot1;
            slot3 <= slot2;
            first1 <= (slot & beat_mask) == '0;
            last1 <= (slot & beat_mask) == beat_mask;
            {first2, first3, first4, first5, first6} <= {first1, first2, first3, first4, first5};
            {last2, last3, last4, last5, last6} <= {last1, last2, last3, last4, last5};
        end
    end

    // Simulation speed (docs/rtl.md, "Speed"): every lane and output stage keeps its registers as scalars of
    // its own generate block, and logic that only feeds registers is computed inside the always_ff that
    // loads them. Verilator then evaluates it once per clock edge, instead of also in every eval's input
    // region (it reads the cfg_* inputs), and needs no per-element delayed-assignment flags for arrays.

    // ---- the stream operands, one beat-wide register per stage ----
    // Each stage holds the whole beat (all lanes) of the operands it passes on, and a lane reads its field
    // where it needs it: for Verilator one wide copy per stage instead of a field extraction and a copy per
    // lane (docs/rtl.md, "Speed"). u and C go to R5 (C * h, the D skip), z to the output stages' gate.
    logic [LANES*ACT_W-1:0] xv1, xv2, xv3, xv4, dtv1, bv1, cv1, cv2, cv3, cv4, zv1, zv2, zv3, zv4;
    /* verilator lint_off UNUSEDSIGNAL */
    logic [LANES*ACT_W-1:0] xv5, zv5;  // the output stages read the first lane of each channel
    /* verilator lint_on UNUSEDSIGNAL */
    always_ff @(posedge clk) begin
        if (en) begin
            xv1 <= s_x;
            {xv2, xv3, xv4, xv5} <= {xv1, xv2, xv3, xv4};
            if (cfg_selective) begin
                dtv1 <= s_dt;
                bv1 <= s_b;
                cv1 <= s_c;
                {cv2, cv3, cv4} <= {cv1, cv2, cv3};
            end
            if (cfg_gated) begin
                zv1 <= s_z;
                {zv2, zv3, zv4, zv5} <= {zv1, zv2, zv3, zv4};
            end
        end
    end

    // ---- lanes: R1 .. R5 ----
    logic [LANES-1:0] clip3;

    for (genvar l = 0; l < LANES; l++) begin : g_lane
        logic act1, act2, act3, act4;  // the lane holds a pair (the last slot may be partial)
        wire logic signed [ACT_W-1:0] x1 = xv1[l*ACT_W+:ACT_W], dt1 = dtv1[l*ACT_W+:ACT_W];
        wire logic signed [ACT_W-1:0] b1 = bv1[l*ACT_W+:ACT_W], c4 = cv4[l*ACT_W+:ACT_W];
        logic signed [STATE_W-1:0] h1, h2, hn4;
        logic signed [PAR_W:0] a1;
        logic signed [PAR_W-1:0] bbar1, cp4;
        logic signed [SKIP_W-1:0] d4;
        /* verilator lint_off UNUSEDSIGNAL */
        // Only the first lane of each channel is read by the output stages.
        logic act5;
        logic signed [SKIP_W-1:0] d5;
        /* verilator lint_on UNUSEDSIGNAL */
        logic [DECAY_W-1:0] abar2;
        logic signed [ACC_W-1:0] bx2, bx3, prod3, sum3, pc5;  // pc5: C * h, 0 for idle lanes
        logic signed [STATE_W-1:0] hs3;  // the new state, saturated once for the write and R4

        // R1: the slot's state and parameters (registered memory reads; the stream operands are in the beat
        // registers above). The pair index slot * LANES + l decides whether the lane is busy. Registers that
        // only one scan (or only the gate) reads are loaded only in that mode: cfg_* are stable from `start`
        // until the chunk has drained, so every value that reaches an output is the same, and the simulation
        // does less per cycle.
        always_ff @(posedge clk) begin
            if (en) begin
                act1 <= (PAIR_W'(slot) << L) + PAIR_W'(l) < cfg_pairs;
                h1 <= state_mem[l][slot];
                a1 <= a_mem[slot][l*(PAR_W+1)+:PAR_W+1];
                if (!cfg_selective) bbar1 <= bbar_mem[slot][l*PAR_W+:PAR_W];
            end
        end

        // R2: the decay Abar (the exp table at index table_index(-dt * A), or the s4d parameter), and the
        // input term B.x.
        always_ff @(posedge clk) begin
            if (en) begin
                act2 <= act1;
                if (cfg_selective) begin
                    logic signed [ACC_W-1:0] idx_r;
                    logic [TIDX_W-1:0] idx;
                    idx_r = rshift_round(-(ACC_W'(dt1) * ACC_W'(a1)), cfg_exp_shift);
                    if (idx_r < 0) idx = '0;
                    else if (idx_r >= $signed(ACC_W'(cfg_table_size))) idx = TIDX_W'(cfg_table_size - 1'b1);
                    else idx = idx_r[TIDX_W-1:0];
                    abar2 <= exp_tbl[idx];
                    bx2 <= ACC_W'(dt1) * ACC_W'(b1) * ACC_W'(x1);
                end else begin
                    abar2 <= a1[DECAY_W-1:0];
                    bx2 <= ACC_W'(bbar1) * ACC_W'(x1);
                end
                h2 <= h1;
            end
        end

        // R3: Abar * h.
        always_ff @(posedge clk) begin
            if (en) begin
                act3 <= act2;
                prod3 <= $signed(ACC_W'(abar2)) * ACC_W'(h2);
                bx3 <= bx2;
            end
        end

        // Cycle 3: h = sat32(rshift_round(Abar * h, 15) + B.x), written back to the state memory.
        assign sum3 = rshift_round(prod3, 6'(Q15)) + bx3;
        assign hs3 = sat_state(sum3);
        assign clip3[l] = v3 && act3 && state_clips(sum3);

        always_ff @(posedge clk) begin
            // The pipeline's write has priority over the host's; one write statement, one address mux.
            if ((en && v3 && act3) || st_we)
                state_mem[l][en && v3 && act3 ? slot3 : st_slot] <=
                    en && v3 && act3 ? hs3 : st_wdata[l*STATE_W+:STATE_W];
            st_rdata[l*STATE_W+:STATE_W] <= state_mem[l][st_slot];
        end

        // R4: the new state; C and D of the pair are read now (they are needed only from here on).
        always_ff @(posedge clk) begin
            if (en) begin
                act4 <= act3;
                hn4 <= hs3;
                d4 <= d_mem[slot3][l*SKIP_W+:SKIP_W];
                if (!cfg_selective) cp4 <= c_mem[slot3][l*PAR_W+:PAR_W];
            end
        end

        // R5: C * h (C from the stream for selective_scan, the parameter for s4d_scan).
        always_ff @(posedge clk) begin
            if (en) begin
                act5 <= act4;
                pc5 <= act4 ? (cfg_selective ? ACC_W'(c4) : ACC_W'(cp4)) * ACC_W'(hn4) : '0;
                d5 <= d4;
            end
        end
    end

    // ---- reduction tree (cycle 5): node o of level v sums lanes [o * 2^v, (o + 1) * 2^v) ----
    // Scalar nodes (not arrays), so that Verilator aliases the leaves to the lanes' registers.
    for (genvar v = 0; v <= L; v++) begin : g_lvl
        for (genvar o = 0; o < (LANES >> v); o++) begin : g_node
            logic signed [ACC_W-1:0] s;
            if (v == 0) begin : g_leaf
                assign s = g_lane[o].pc5;
            end else begin : g_sum
                assign s = g_lvl[v-1].g_node[2*o].s + g_lvl[v-1].g_node[2*o+1].s;
            end
        end
    end

    // ---- output stages: R6 .. R9 ----
    logic [3:0] level;  // min(log2 N, L)
    assign level = 32'(cfg_log2n) > L ? 4'(L) : cfg_log2n;

    logic signed [ACC_W-1:0] acc;  // N > LANES: the channel's sum over its earlier beats (output stage 0)
    logic [OUTS-1:0] keep8;
    // Saturations counted per output stage (and for the lanes, below); sat_count is their sum, which equals
    // one counter of all of them (sums mod 2^64), while each stage counts inside its own always_ff.
    logic [63:0] stage_sat [OUTS];

    for (genvar o = 0; o < OUTS; o++) begin : g_out
        // The channel's sum and the operands of its first lane, per level of the tree.
        logic signed [ACC_W-1:0] cand_y [L+1];
        logic signed [ACT_W-1:0] cand_x [L+1];
        logic signed [ACT_W-1:0] cand_z [L+1];
        logic signed [SKIP_W-1:0] cand_d [L+1];
        logic cand_act [L+1];
        for (genvar v = 0; v <= L; v++) begin : g_v
            if (v >= LOG_NMIN && o < (LANES >> v)) begin : g_on
                assign cand_y[v] = g_lvl[v].g_node[o].s;
                assign cand_x[v] = xv5[(o<<v)*ACT_W+:ACT_W];
                assign cand_z[v] = zv5[(o<<v)*ACT_W+:ACT_W];
                assign cand_d[v] = g_lane[o<<v].d5;
                assign cand_act[v] = g_lane[o<<v].act5;
            end else begin : g_off
                assign cand_y[v] = '0;
                assign cand_x[v] = '0;
                assign cand_z[v] = '0;
                assign cand_d[v] = '0;
                assign cand_act[v] = 1'b0;
            end
        end

        logic signed [ACC_W-1:0] y6;
        logic signed [ACT_W-1:0] x6, z6, x7, z7, z8;
        logic signed [SKIP_W-1:0] d6, d7;
        logic keep6, keep7;
        logic signed [STATE_W-1:0] ys7, ws8;
        logic [63:0] sat;

        // R6: the channel's sum from the tree level of N.
        always_ff @(posedge clk) begin
            if (en) begin
                y6 <= '0;
                x6 <= '0;
                z6 <= '0;
                d6 <= '0;
                keep6 <= 1'b0;
                for (int v = LOG_NMIN; v <= L; v++) begin
                    if (o < (LANES >> v) && 32'(level) == v) begin  // constant-folded per stage
                        y6 <= cand_y[v];
                        x6 <= cand_x[v];
                        z6 <= cand_z[v];
                        d6 <= cand_d[v];
                        keep6 <= v5 && cand_act[v];
                    end
                end
            end
        end

        // Cycle 6 (stage 0): the sum over the channel's beats.
        logic signed [ACC_W-1:0] y_tot;
        if (o == 0) begin : g_acc
            assign y_tot = first6 ? y6 : acc + y6;
            always_ff @(posedge clk) begin
                if (en && v6 && keep6) acc <= y_tot;
            end
        end else begin : g_noacc
            assign y_tot = y6;
        end

        // R7 .. R9, and the stage's saturations of cycles 6 .. 8.
        always_ff @(posedge clk) begin
            logic signed [ACC_W-1:0] ys_r6, ws_r7, rq8, g8;
            logic signed [STATE_W-1:0] ys_n, ws_n;
            logic signed [ACT_W-1:0] o8, out_n;
            logic clip6, clip7, clip8a, clip8b;
            // Zero in gives zero out (rshift_round(0, s) = 0, sat(0) = 0, nothing clips), and an output stage
            // that N leaves idle sees only zeros: the ifs skip its arithmetic in simulation, the values are the
            // same. (Each if holds more than one assignment, or Verilator turns it into a select that
            // computes both sides.)
            // Cycle 6: ys = sat32(rshift_round(y, y_shift)).
            ys_n = '0;
            clip6 = 1'b0;
            if (y_tot != '0) begin
                ys_r6 = rshift_round(y_tot, cfg_y_shift);
                ys_n = sat_state(ys_r6);
                if (v6 && keep6 && last6) clip6 = state_clips(ys_r6);
            end
            // Cycle 7: with_skip = sat32(ys + D * x).
            ws_r7 = ACC_W'(ys7) + ACC_W'(d7) * ACC_W'(x7);
            ws_n = '0;
            clip7 = 1'b0;
            if (ws_r7 != '0) begin
                ws_n = sat_state(ws_r7);
                if (v7 && keep7) clip7 = state_clips(ws_r7);
            end
            // Cycle 8: requant(with_skip, mult, shift), then the gate requant(o * silu[z], gate_mult, gate_shift).
            o8 = '0;
            out_n = '0;
            clip8a = 1'b0;
            clip8b = 1'b0;
            if (ws8 != '0) begin
                rq8 = rshift_round(ACC_W'(ws8) * $signed(ACC_W'(cfg_mult)), cfg_shift);
                o8 = sat_act(rq8);
                out_n = o8;
                if (v8 && keep8[o]) clip8a = act_clips(rq8);
                if (cfg_gated && o8 != '0) begin
                    g8 = rshift_round(ACC_W'(o8) * ACC_W'(silu_lut[{~z8[ACT_W-1], z8[ACT_W-2:0]}]) *
                                          $signed(ACC_W'(cfg_gate_mult)), cfg_gate_shift);
                    out_n = sat_act(g8);
                    if (v8 && keep8[o]) clip8b = act_clips(g8);
                end
            end
            if (rst || start) sat <= '0;
            else if (en && (clip6 || clip7 || clip8a || clip8b))
                sat <= sat + 64'(clip6) + 64'(clip7) + 64'(clip8a) + 64'(clip8b);
            if (en) begin
                ys7 <= ys_n;
                keep7 <= v6 && keep6 && last6;
                x7 <= x6;
                z7 <= z6;
                d7 <= d6;
                ws8 <= ws_n;
                keep8[o] <= v7 && keep7;
                z8 <= z7;
                // R9: the output beat.
                m_data[o*ACT_W+:ACT_W] <= out_n;
            end
        end
        assign stage_sat[o] = sat;
    end

    always_ff @(posedge clk) begin
        if (rst) begin
            m_valid <= 1'b0;
        end else if (en) begin
            m_valid <= v8 && keep8 != '0;
            m_keep <= keep8;
        end
    end

    // Saturations of every counted step, as the reference counts them.
    logic [63:0] lane_sat;
    // Population count by bit fields (SWAR): a few wide operations instead of one add per lane.
    function automatic logic [L:0] ones(input logic [LANES-1:0] bits);
        logic [63:0] x;
        if (LANES <= 64) begin
            x = 64'(bits);
            x = x - ((x >> 1) & 64'h5555_5555_5555_5555);
            x = (x & 64'h3333_3333_3333_3333) + ((x >> 2) & 64'h3333_3333_3333_3333);
            x = (x + (x >> 4)) & 64'h0f0f_0f0f_0f0f_0f0f;
            x = x + (x >> 8);
            x = x + (x >> 16);
            x = x + (x >> 32);
            ones = (L + 1)'(x & 64'h7f);
        end else begin
            ones = '0;
            for (int i = 0; i < LANES; i++) ones = ones + (L + 1)'(bits[i]);
        end
    endfunction
    always_ff @(posedge clk) begin
        if (rst || start) lane_sat <= '0;
        else if (en) lane_sat <= lane_sat + 64'(ones(clip3));
    end
    always_comb begin
        sat_count = lane_sat;
        for (int o = 0; o < OUTS; o++) sat_count = sat_count + stage_sat[o];
    end
endmodule

`default_nettype wire
