#!/bin/bash
# one-client unary vs stream on loopback, block4 int8, committed bundle; alternated twice
cd "$(dirname "$0")/../../.."
npm run -s cloud -- --model models/multimnist-resnet --port 50771 --host 127.0.0.1 > ${OUT:-/tmp}/cloud.log 2>&1 &
CP=$!
for i in $(seq 60); do grep -q listening ${OUT:-/tmp}/cloud.log && break; sleep 1; done
for r in 1 2; do for m in unary stream; do
  npm run -s edge -- --model models/multimnist-resnet --cloud 127.0.0.1:50771 --split block4 --codec int8 -n 2000 --warmup 50 --mode $m --no-progress --json ${OUT:-/tmp}/mode-$m-$r.json > ${OUT:-/tmp}/mode-$m-$r.txt 2>&1
  echo "$m $r rc=$?"
done; done
kill $CP; wait $CP
