#!/usr/bin/env python3
"""Regenerate sim/calib/ixrecipe_table.c from SemiAnalysisAI/InferenceX's history.

A maintainer's tool, not part of the build or the tests.  Usage:

    python3 sim/calib/ixrecipe-gen.py PATH-TO-INFERENCEX-CLONE > sim/calib/ixrecipe_table.c

It reads every committed version of InferenceX's NVIDIA master configs
(.github/configs/nvidia-master.yaml, later configs/nvidia-master.yaml and
configs/deprecated/nvidia-*.yaml; needs PyYAML), keeps each disaggregated
(disagg: true) search-space entry of the models and frameworks below (but
SGLang's whose pools are sized by node counts, tp and ep left at 1), and
writes one table row per distinct (layout, concurrency, worker counts,
speculative decoding) with the first commit that lists it (by commit time,
then topological order), that commit's date and the date of the last commit
that lists it (commit dates, UTC).  Entries a metadata correction (CORRECTIONS) replaced are left
out: they were never run as written.
"""
import os, subprocess, sys, yaml

MODELS = {"dsr1": "deepseek-ai/DeepSeek-R1", "glm5": "zhipuai/GLM-5", "gptoss": "openai/gpt-oss-120b",
          "kimik2.5": "moonshotai/Kimi-K2.5", "minimaxm2.5": "MiniMaxAI/MiniMax-M2.5",
          "qwen3.5": "Qwen/Qwen3.5-397B-A17B"}
FRAMEWORKS = {"dynamo-sglang": "sglang", "dynamo-trt": "trtllm", "dynamo-vllm": "vllm"}
SYSTEMS = {"b200": "b200_sxm", "b300": "b300_sxm", "h100": "h100_sxm", "h200": "h200_sxm",
           "gb200": "gb200", "gb300": "gb300"}


def git(repo, *a):
    env = dict(os.environ, TZ="UTC")   # commit dates in UTC, as the sample's measured= dates
    return subprocess.run(["git", "-C", repo] + list(a), capture_output=True, text=True, env=env).stdout


def versions(repo):
    """(commit time, order, date, commit, path) of every committed version of
    the master configs, oldest first (commit time, then topological order)."""
    out = []

    def walk(*paths):
        lines = git(repo, "log", "--reverse", "--topo-order", "--format=%H %ct %cd",
                    "--date=format-local:%Y-%m-%d", "--", *paths).splitlines()
        for i, line in enumerate(lines):
            h, ct, d = line.split()
            yield int(ct), i, d, h

    for path in (".github/configs/nvidia-master.yaml", "configs/nvidia-master.yaml"):
        out += [(ct, i, d, h, path) for ct, i, d, h in walk(path)]
    for ct, i, d, h in walk("configs/deprecated"):
        for path in git(repo, "ls-tree", "-r", "--name-only", h, "configs/deprecated").split():
            if "/nvidia" in path:
                out.append((ct, i, d, h, path))
    return sorted(out)


# Commits that corrected the configs' metadata to what the recipe files ran:
# the entries they replaced were never run as written, so they are dropped.
CORRECTIONS = {
    # "Fix nvidia-master.yaml metadata to align with recipe files (#919)":
    # B200 FP8 TRT 8K/1K prefill_ep 8->1, H200 FP8 TRT prefill_dp_attn, ...
    "f316a0ef6",
}


def by_nodes(pool):
    """A pool written as tp 1, ep 1 with its size in PREFILL_/DECODE_NODES
    (the early GB200 SGLang entries, whose comments say DEP4 and DEP48):
    its layout is not in tp and ep.  gpt-oss's TensorRT-LLM entries of
    the same form are real TP 1 pools ("P: 1xTP1"), so this is asked of
    dynamo-sglang entries only."""
    nodes = any("_NODES=" in str(a) for a in pool.get("additional-settings") or [])
    return nodes and pool.get("tp") == 1 and pool.get("ep") == 1


def entries(doc):
    for c in doc.values() if isinstance(doc, dict) else []:
        if not isinstance(c, dict) or not c.get("disagg"):
            continue
        model, fw = MODELS.get(c.get("model-prefix")), FRAMEWORKS.get(c.get("framework"))
        system = SYSTEMS.get(str(c.get("runner", "")).split("-")[0])
        if not (model and fw and system):
            continue
        scen = c.get("scenarios") or {}   # since 2026-05; seq-len-configs before
        lengths = [x for v in scen.values() for x in (v or [])] if isinstance(scen, dict) else []
        for s in lengths + list(c.get("seq-len-configs") or []):
            for ss in s.get("search-space") or []:
                p, d = ss.get("prefill") or {}, ss.get("decode") or {}
                if c.get("framework") == "dynamo-sglang" and (by_nodes(p) or by_nodes(d)):
                    continue
                spec = 0 if ss.get("spec-decoding", "none") in ("none", None) else 1
                for conc in ss.get("conc-list") or []:
                    yield (model, system, c.get("precision"), fw, s.get("isl"), s.get("osl"), conc,
                           p.get("tp"), p.get("ep"), int(bool(p.get("dp-attn"))),
                           d.get("tp"), d.get("ep"), int(bool(d.get("dp-attn"))),
                           p.get("num-worker"), d.get("num-worker"), spec)


def main(repo):
    first, last, seen, wrong = {}, {}, {}, set()
    for _, _, d, h, path in versions(repo):
        try:
            doc = yaml.safe_load(git(repo, "show", f"{h}:{path}"))
        except yaml.YAMLError:
            continue
        now = {e for e in entries(doc) if None not in e}
        if any(h.startswith(c) for c in CORRECTIONS):
            wrong |= seen.get(path, set()) - now
        seen[path] = now
        for e in now:
            if e not in first:
                first[e] = (h[:12], d)
            last[e] = max(last.get(e, d), d)
    for e in wrong:
        first.pop(e, None)
    print("/* ixrecipe_table.c - generated by sim/calib/ixrecipe-gen.py from "
          "github.com/SemiAnalysisAI/InferenceX; do not edit (ixrecipe.h) */")
    print('#include "ixrecipe.h"\n')
    print("const struct ixrecipe ixrecipes[] = {")
    for e in sorted(first, key=lambda e: tuple(str(x) for x in e)):
        print('\t{"%s", "%s", "%s", "%s", %d, %d, %d, {%d, %d, %d}, {%d, %d, %d}, %d, %d, %d, "%s", "%s", "%s"},'
              % (e + first[e] + (last[e],)))
    print("\t{NULL, NULL, NULL, NULL, 0, 0, 0, {0, 0, 0}, {0, 0, 0}, 0, 0, 0, NULL, NULL, NULL},\n};")


if __name__ == "__main__":
    main(sys.argv[1])
