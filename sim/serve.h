/*
 * serve.h - what a serving benchmark measures, from a plan's step times and
 * an engine card: TTFT and TPOT of requests served at a concurrency in a
 * closed loop (a new request starts as one finishes, as aiconfigurator's
 * silicon runs and the engines' serving benchmarks do), with in-flight
 * batching.
 *
 * Aggregated (one pool prefills and decodes), per attention group of B
 * requests in flight, each of isl prompt and osl output tokens, step token
 * budget C (--prefill-tokens, or the engine's max_num_tokens):
 * - KV capacity: at most N = the sequences the cache holds (plan memory, at
 *   the plan's context) run at once; the other B - N wait for a slot, each
 *   slot turning over once a request's lifetime R = TTFT_run + (osl - 1) TPOT
 *   (Little's law, closed loop): their wait adds (B - N) / N x R to TTFT.
 * - Prompts beside decode (mean field): over one lifetime the running
 *   requests' N prompts are prefilled either each alone (own: its chunks)
 *   or together in full steps (ceil(isl N / C') of them), whichever costs
 *   less, and TPOT = t_gen + that extra time / osl; t_gen is the decode step
 *   of N sequences with the engine's host time per step, step_s + N x
 *   step_per_sequence_s (engine.h).  Where the engine
 *   mixes (vLLM V1, TensorRT-LLM's in-flight batching: engine.h `mixed`),
 *   the decode tokens take N of the budget (C' = C - N) and a step carrying
 *   c prompt tokens costs (c + N) tokens through the layers and the decode
 *   attention in place of a decode step; otherwise (SGLang) a prefill step of
 *   c tokens runs apart (C' = C) and the decode batch waits for it.
 * - Attention data parallelism: the G = dp attention groups meet at every MoE
 *   layer (all-to-all or MoE-TP all-gather), so a step lasts as long as the slowest
 *   group's (vLLM: "forward passes must be aligned", idle ranks run dummy
 *   passes, docs.vllm.ai/en/latest/serving/data_parallel_deployment/;
 *   SGLang pads every rank's MoE tokens to the largest, sgl-project/sglang
 *   python/sglang/srt/model_executor/forward_batch_info.py
 *   prepare_mlp_sync_batch).  Each group schedules its
 *   own prompts, in a share f = mixed steps / osl of the steps; where the
 *   groups' prompts fall in steps of their own, independently, a step waits
 *   for a prompt in 1 - (1 - f)^G of them, and the prompts' extra time over
 *   a lifetime grows by (1 - (1 - f)^G) / f (serve_sync_share).  An engine
 *   that gives every group its prompts in the same steps (TensorRT-LLM's
 *   attention_dp_config.enable_balance; engine card scheduler.dp_balance,
 *   --dp-balance on) keeps the factor at 1.  The groups' decode attention
 *   differs too: in a closed loop a running sequence has cached a length
 *   uniform over [isl, isl + osl] (mean mu = isl + osl/2, deviation
 *   sigma = osl / sqrt 12), so a group of B holds B mu +- sqrt(B) sigma
 *   tokens, and the step's attention is the largest group's: x (1 + e_G
 *   sigma / (mu sqrt B)), e_G the expected largest of G standard normals,
 *   Phi^-1((G - 0.375) / (G + 0.25)) (G. Blom, Statistical Estimates and
 *   Transformed Beta-Variables, Wiley 1958): 1.4342 for 8 and 2.3367 for 64,
 *   where the integral of x G phi(x) Phi(x)^(G-1) gives 1.4236 and 2.3437.
 * - Taking a request in: a scheduler polls for new requests every R decode
 *   steps (--recv-interval; SGLang's --scheduler-recv-interval adds 1 per
 *   decode, verify or idle pass and 1000 per other step, so it polls after
 *   each prefill step: SGLANG_SCHEDULER_RECV_SKIPPER_WEIGHT_* in
 *   sgl-project/sglang@70310f05 python/sglang/srt/environ.py, read by
 *   python/sglang/srt/managers/scheduler_recv_skipper.py; R = 1 every step,
 *   as every engine by default).  An arrival waits half a cycle, R t_gen / 2
 *   (half the step in flight at R = 1), then for the prompts that arrived
 *   in the same cycle before it, received and prefilled with it in full
 *   steps: lambda (R - 1) t_gen / 2 of them, isl tau each, at the closed
 *   loop's arrival rate lambda = N / (osl t_gen + extra) (serve_poll_s).
 *   The M/D/1 term already holds one step's arrivals; an idle server polls
 *   at once (a lone request, N = 1, does not wait).  Balanced attention DP
 *   releases prompts the same way (--dp-balance on, TensorRT-LLM's
 *   attention_dp_config.enable_balance: PyExecutor._balance_adp_requests in
 *   NVIDIA/TensorRT-LLM:tensorrt_llm/_torch/pyexecutor/py_executor.py): it
 *   gives no group its prompts until every group has one, or until
 *   timeout_iters steps have passed since the last release (--dp-balance-iters,
 *   the engine card's scheduler.dp_balance_timeout_iters: TensorRT-LLM's
 *   default 50), its counter running every step; with arrivals at lambda per
 *   group every one of G groups has one after H_G / lambda (H_G the harmonic
 *   number), so prompts are released every R = min(timeout_iters, H_G /
 *   (lambda t_gen)) steps and wait as for a poll of that interval
 *   (serve_balance_steps; the larger interval where both apply; its
 *   batching_wait_iters, the steps it waits more once every group has one,
 *   is not modelled).
 * - Batch waiting: an engine may hold new prompts back to prefill more of
 *   them in one step (TensorRT-LLM's batch_wait_timeout_iters and
 *   batch_wait_max_tokens_ratio, --batch-wait-iters I and --batch-wait-ratio
 *   r: PyExecutor._waiting_requests in
 *   NVIDIA/TensorRT-LLM:tensorrt_llm/_torch/pyexecutor/py_executor.py).  While requests decode,
 *   it schedules no prompt until I steps have passed since it began holding
 *   them or the step's tokens reach r C: 1 + its draft tokens (--mtp) for
 *   each of the N decoding, and each held prompt's tokens to compute, isl
 *   less its prefix-cache hit (reusable tokens left out, as TensorRT-LLM's
 *   later versions count them); both at 0 (the default) or either at 0, it
 *   never waits; with attention DP, or with nothing decoding, it does not
 *   wait either (PyExecutor._schedule).  With arrivals at lambda, evenly
 *   spaced, it holds for F = min(I t_gen, (k - 1) / lambda), k = ceil((r C -
 *   N (1 + D)) / s) prompts of s new tokens reaching the bound (D the draft
 *   tokens); the 1 + lambda F prompts held wait F (the first) and F / 2 (the
 *   others) on average, and each waits for all of them prefilled in one
 *   step: F (1 + lambda F / 2) / (1 + lambda F) + lambda F s tau
 *   (serve_batch_wait_s).  The first burst arrives with nothing decoding
 *   and is not held; TPOT keeps the prompt steps' cost as above.
 * - TTFT, steady state: the request's own prefill (own), the wait for the
 *   scheduler to take it in, and the prefill queue as M/D/1 at load rho, the
 *   share of time spent on prompts: rho / (2 (1 - rho)) service times (Kleinrock,
 *   Queueing Systems I, s5.6: the Pollaczek-Khinchine mean wait with
 *   deterministic service).
 * - TTFT, first burst: a benchmark starts its N requests at once; request
 *   j (1..N) waits for the chunks of the j - 1 before it, FIFO: its first
 *   token comes after ceil(j isl / C) steps of C tokens (one step of N isl
 *   tokens when they fit in one).  A benchmark of `waves` x N requests
 *   (engine card) sees the burst in 1 / waves of them.
 * - TTFT adds the engine's per-request overhead (API, tokenizer, scheduling)
 *   and its host time per operator of the request's prefill step: the
 *   engines run prefill outside CUDA graphs, so the host launches each of
 *   its kernels, more for a model with more (request_s + request_per_op_s x
 *   the prefill step's operator count; both fitted, engines/README.md).
 */
#ifndef MLASIM_SERVE_H
#define MLASIM_SERVE_H

#include "engine.h"
#include "plan.h"

struct serve_result {
	double ttft_s;       /* mean time to the first token */
	double tpot_s;       /* mean time per output token after the first */
	double running;      /* requests decoding at once per attention group (KV-bound) */
	double waiting;      /* requests waiting for a KV slot per attention group */
	double mixed_steps;  /* steps of a request's lifetime that carry prefill chunks */
	double rho;          /* prefill load: mixed steps over osl (serve_disagg: arrivals over
	                        the prefill pool's capacity) */
	double sync_groups;  /* attention groups whose prompts the steps wait for (serve_sync_groups) */
	double longest;      /* decode attention of the group with the most tokens cached over the
	                        mean group's (serve_lengths_max) */
	double burst_ttft_s; /* mean TTFT of the first burst */
	double request_s;    /* of TTFT, each request's own time before its first token: the
	                        engine's request_s and request_per_op_s per operator of the
	                        prefill step (serve_request_s); 0 without an engine */
	double steady_ttft_s;/* mean TTFT once requests are spread */
	double poll_wait_s;  /* of which the wait to be taken in by the scheduler's poll (serve_poll_s) */
	double release_steps;/* decode steps between the releases of new prompts: the poll interval,
	                        or balanced attention DP's (serve_balance_steps); 1: every step */
	double batch_wait_s; /* of which batch waiting: prompts held back, then prefilled together
	                        (serve_batch_wait_s) */
	double batch_held;   /* prompts batch waiting holds together (1: it holds none) */
	double arrival_rate; /* open loop: requests/s into the whole deployment (0: closed loop) */
	int saturated;       /* open loop: no steady state at arrival_rate (the rest is 0) */
	double max_rate;     /* open loop, saturated: the largest rate with one, requests/s */
};

/* The attention groups of plan p whose prompts a step waits for under engine
 * g (NULL: no engine; serve.h above): 1 where they are balanced
 * (p's --dp-balance, else g's scheduler.dp_balance), else serve_dp_groups. */
double serve_sync_groups(const struct plan *p, const struct engine *g);

/* The factor by which G groups, each carrying prompts in a share f of the
 * steps on its own, stretch the steps that wait for prompts: (1 - (1 -
 * f)^G) / f; 1 for G <= 1 or f outside (0, 1). */
double serve_sync_share(double f, double G);

/* The attention groups of plan p that meet at every MoE layer: all dp of
 * them, whose tokens every MoE layer takes together (EP all-to-all, or the
 * all-gather of MoE tensor parallelism over tp x dp GPUs; vLLM: 'expert
 * layers across all ranks are required to synchronize during every forward
 * pass'); 1 for a model without experts, whose dp groups are replicas. */
double serve_dp_groups(const struct plan *p);

/* The attention of the group with the most tokens cached over the mean
 * group's, among G groups of B sequences each, closed loop (serve.h):
 * 1 + e_G x (osl / sqrt 12) / ((isl + osl / 2) sqrt B), e_G the expected
 * largest of G standard normals (Blom); 1 for G < 2. */
double serve_lengths_max(double G, double B, double isl, double osl);

/*
 * Aggregated serving of the workload of plan p (p->dep.w.batch requests in
 * flight per attention group, isl, osl, prefill_tokens) under engine g (NULL:
 * no engine overheads and no first burst): TTFT and TPOT into *r.
 * `scratch` is a plan this may recompute at a smaller batch (the KV cache's
 * limit); it may alias nothing else.  Returns 0, or the plan's error.
 */
int serve_agg(const struct plan *p, const struct engine *g, struct plan *scratch,
	      struct serve_result *r, struct err *e);

/*
 * Serving at an open loop of `rate` requests/s into the whole deployment of
 * plan p (spread over its p->dep.dp attention groups; Poisson arrivals, as a
 * rate-driven benchmark sends them, so no first burst): the requests in
 * flight per group N solve N = rate / dp x (TTFT + (osl - 1) TPOT) at batch
 * N (Little's law; Kleinrock, Queueing Systems I, s2.1), with TTFT and TPOT
 * as serve_agg prices them, the prefill queue M/D/1.  r->running is that N.
 * When no N within the KV cache solves it (the cache or the prefill load
 * runs out first), r->saturated is set, r->max_rate is the largest rate
 * that has one (bisection, to 1e-6 relative) and the times are NAN.  p's batch is not read;
 * `scratch` is recomputed.  Returns 0, or the plan's error code.
 */
int serve_open(const struct plan *p, const struct engine *g, double rate, struct plan *scratch,
	       struct serve_result *r, struct err *e);

/*
 * What engine g sets in deployment d on card h before a plan: its step
 * token budget as --prefill-tokens, the fixed latency its CUDA-graph
 * decode saves (w.graph_saving = 1 - graph_latency_share), and w.engine =
 * g: its own all-reduce inside a domain below its card's limits (the
 * hardware card's fit for it times it) and the elementwise kernels it fuses.
 * g must outlive the plans made from d.
 * NULL: nothing.
 */
void serve_engine_apply(const struct engine *g, const struct hw *h, struct deployment *d);

/*
 * The decode pool of a disaggregated deployment: TPOT of plan p's decode
 * step at its batch (no prefill beside it), g's host time per step and the
 * attention of its longest attention-DP group (serve_lengths_max), into *r
 * (the rest of it zeroed).
 */
void serve_decode(const struct plan *p, const struct engine *g, struct serve_result *r);

/*
 * The prefill pool of a disaggregated deployment: `workers` instances of
 * plan p, each attention group a server that takes the prompts waiting, up
 * to b = max(p->dep.w.batch, floor(C / isl)) a step: the engines' prefill
 * servers fill their step budget C (SGLang's chunked prefill up to
 * --chunked-prefill-size, TensorRT-LLM's context batch up to max_num_tokens;
 * InferenceX's disaggregated recipes give them 2,048 (vLLM) to 131,072
 * (SGLang) tokens, SemiAnalysisAI/InferenceX@843c6254ff69
 * benchmarks/multi_node/srt-slurm-recipes, e.g. sglang/deepseek-v4/8k1k/
 * disagg-b300-1p1d-dep4-dep8.yaml chunked-prefill-size 32768; and
 * @93e1b3ca1 .github/configs/nvidia-master.yaml PREFILL_MAX_NUM_TOKENS
 * (DeepSeek-R1 on GB200: 4608 with 4 prompts, 8448 with 1)), fed in a
 * closed loop by `concurrency` requests in flight over the whole
 * deployment, each living TTFT + (osl - 1) x tpot_s (the decode pool's):
 * - a step of k prompts, step(k): one prompt's prefill alone at least, else
 *   their k x isl tokens at full-step speed; S = step(1);
 * - arrivals lambda = concurrency / lifetime over workers x dp servers; r1 =
 *   a server's arrivals during S.  Below r1 = 1/2 a prompt is served alone
 *   after the M/D/1 wait S md1(r1); above it the server is busy and batches:
 *   a prompt waits for the rest of the step in progress, half a step of the
 *   r1 prompts that came during it, then its own (gated batch service).
 *   Below the capacity r1 < b S / step(b), so those prompts' tokens fit in
 *   S: wait and prefill 1.5 S (continuous at r1 = 1/2).  Solved with the
 *   lifetime it sets, a fixed point; where its load reaches the capacity
 *   servers x b / step(b) the pool bounds the loop: lambda = capacity and
 *   TTFT = concurrency / capacity - (osl - 1) tpot, no less than the 1.5 S
 *   + KV hand-over it has there (continuous: no jump to step(b));
 * - the KV cache handed to the decode pool: isl tokens' cache over the
 *   instance's NICs (scale-out bandwidth x its GPUs) and their latency;
 * - the first burst (1 / waves of requests): all requests at once, FIFO in
 *   full batches of b over the servers;
 * - g's per-request overhead.  TTFT into r->ttft_s (steady, burst too).
 */
void serve_disagg(const struct plan *p, const struct engine *g, double concurrency, double workers,
		  double tpot_s, struct serve_result *r);

#endif
