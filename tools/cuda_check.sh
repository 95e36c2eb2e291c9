#!/usr/bin/env bash
# One prepared run of the CUDA checks on a lent GPU machine (see CONTRIBUTING.md):
# the claims' numeric legs and the contract suite with --device cuda, the API tests
# (which use every available device), then the benchmarks on CUDA. Logs and the
# benchmark JSON go to $OUT (or ./cuda-out when OUT is unset).
set -o pipefail
export PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1
out=${OUT:-cuda-out}; mkdir -p "$out"
if ls .whl/*.whl >/dev/null 2>&1; then  # wheels the machine lacks (nltk), carried as .whl
    python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade \
        --target /tmp/site .whl/*.whl && export PYTHONPATH=/tmp/site
fi
export PYTHONPATH=$PWD${PYTHONPATH:+:$PYTHONPATH}
nvidia-smi -L
python3 -c "import torch, sys; print(sys.version.split()[0], torch.__version__, torch.cuda.get_device_name())"
start=$(date +%s)
# TESTS narrows the run (a rerun of what failed), e.g. TESTS="tests/test_claims.py -k regression"
timeout "${TEST_LIMIT:-300}" python3 -m pytest ${TESTS:-tests/test_claims.py tests/test_contracts.py \
    tests/test_*_api.py} --device cuda -q -n "${JOBS:-12}" --maxfail=40 -p no:cacheprovider \
    2>&1 | tee "$out/pytest_cuda.log" | tail -40
echo "pytest: $(( $(date +%s) - start )) s"
[ "${BENCH:-1}" = 0 ] && exit 0
start=$(date +%s)
timeout "${BENCH_LIMIT:-150}" python3 -m benchmarks --quick --device cuda \
    --json "$out/bench_cuda.json" 2>&1 | tee "$out/bench_cuda.txt"
echo "benchmarks: $(( $(date +%s) - start )) s"
