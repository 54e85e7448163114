#!/usr/bin/env python3
"""clip_peer: the Kafka consumer a Python user would write instead of ClipStream (the benchmark's peer).

It reads ClipStream's ``image-events`` topic, decodes each image with PIL, preprocesses it with OpenAI's
reference pipeline (torchvision Resize(bicubic) / CenterCrop / RGB / ToTensor / Normalize), batches the images,
embeds them with the same CLIP image tower in eager PyTorch (``visual.pt`` written by tools/make_vitb32.py, or
any OpenAI-layout ViT ``visual`` state_dict), scores them against a label set compiled by
``clipstream labels compile`` and produces one JSON tags record per event. Offsets are committed after the
batch's output records are acknowledged (at least once; the producer is idempotent).

    /usr/bin/python3 tools/peer/clip_peer.py --bootstrap-servers 127.0.0.1:9092 \\
        --schema-registry http://127.0.0.1:8081 --model-dir /tmp/vitb32 --labels /tmp/general-b32.avro \\
        --expected 124

With ``--expected N`` it stops after N events and prints one JSON line of figures to stdout (events, seconds,
events_per_s, p50_ms, p99_ms, and where the time went); without it, it runs until SIGINT/SIGTERM and prints the
same line then. Progress and errors go to stderr.

Wire format of the input: Confluent's (magic byte 0, 4-byte big-endian schema id, Avro binary body); the writer
schema is fetched from the registry's REST API (GET {url}/schemas/ids/{id}) and cached by id.

Output record (value, JSON, key = eventId), shaped like ClipStream's ImageTags::

    {"eventId", "modelId", "labelSetName", "labelSetVersion",
     "tags": [{"labelId", "displayName", "score", "rank", "group"}...],
     "timings": {"queuedMs", "inferenceMs", "endToEndMs"}}

or, for an event that cannot be used, ``{"eventId", "error": CODE, "message"}`` (codes as ClipStream's where
they apply: NULL_VALUE, NOT_AVRO, UNKNOWN_SCHEMA_ID, MALFORMED_AVRO, MISSING_EVENT_ID, REFERENCE_NOT_ALLOWED,
EMPTY, UNKNOWN_FORMAT, CORRUPT).

Needs Debian's python3-confluent-kafka, python3-avro, python3-torch, python3-torchvision, python3-pil,
python3-numpy. Policies of the label set are not evaluated (tags only).
"""

import argparse
import io
import json
import math
import os
import signal
import struct
import sys
import time
import urllib.error
import urllib.request
from collections import OrderedDict

import avro.datafile
import avro.io
import avro.schema
import numpy as np
import torch
from confluent_kafka import Consumer, KafkaError, KafkaException, Producer, TopicPartition
from PIL import Image, UnidentifiedImageError
from torch import nn
from torchvision.transforms import CenterCrop, Compose, InterpolationMode, Normalize, Resize, ToTensor

TOOLS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CLIP_MEAN = (0.48145466, 0.4578275, 0.40821073)
CLIP_STD = (0.26862954, 0.26130258, 0.27577711)


def log(msg):
    print(f"clip_peer: {msg}", file=sys.stderr, flush=True)


class EventError(Exception):
    """An event that cannot be tagged; becomes an error record."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code


# ------------------------------------------------------------------------------------------------------------
# Confluent wire format + schema registry
# ------------------------------------------------------------------------------------------------------------

class RegistryDecoder:
    """Decodes Confluent-framed Avro values, fetching writer schemas by id over the registry's REST API."""

    def __init__(self, url, timeout_s=10.0):
        self.url = url.rstrip("/")
        self.timeout_s = timeout_s
        self.readers = {}  # schema id -> avro.io.DatumReader

    def reader(self, schema_id):
        reader = self.readers.get(schema_id)
        if reader is None:
            req = urllib.request.Request(f"{self.url}/schemas/ids/{schema_id}",
                                         headers={"Accept": "application/vnd.schemaregistry.v1+json"})
            try:
                with urllib.request.urlopen(req, timeout=self.timeout_s) as resp:
                    body = json.load(resp)
            except urllib.error.HTTPError as e:
                if e.code == 404:
                    raise EventError("UNKNOWN_SCHEMA_ID", f"schema id {schema_id} is not in the registry")
                raise
            schema = avro.schema.parse(body["schema"])
            reader = self.readers[schema_id] = avro.io.DatumReader(schema)
        return reader

    def decode(self, value):
        if value is None:
            raise EventError("NULL_VALUE", "record has no value")
        if len(value) < 5 or value[0] != 0:
            raise EventError("NOT_AVRO", "value is not in the Confluent wire format (magic byte 0 + schema id)")
        (schema_id,) = struct.unpack(">I", value[1:5])
        reader = self.reader(schema_id)
        try:
            return reader.read(avro.io.BinaryDecoder(io.BytesIO(value[5:])))
        except Exception as e:  # noqa: BLE001 - any decoding failure of the body
            raise EventError("MALFORMED_AVRO", f"Avro body does not match schema {schema_id}: {e}")


def millis(value):
    """occurredAt as epoch milliseconds (python-avro returns a datetime for timestamp-millis)."""
    if value is None:
        return None
    if isinstance(value, (int, float)):
        return int(value)
    return int(value.timestamp() * 1000)


# ------------------------------------------------------------------------------------------------------------
# Model: OpenAI's ViT image tower in eager PyTorch
# ------------------------------------------------------------------------------------------------------------

def load_visual(model_dir):
    """Builds the image tower from ``MODEL_DIR/visual.pt``.

    The file is either the dict tools/make_vitb32.py writes ({"state_dict": ..., ...}) or a bare OpenAI-layout
    ``visual`` state_dict; the dimensions are read off the tensors, as OpenAI's ``build_model`` does. The module
    class is OpenAI's VisionTransformer as written in tools/make_test_models.py."""
    sys.path.insert(0, TOOLS)
    from make_test_models import VisionTransformer  # noqa: E402

    path = os.path.join(model_dir, "visual.pt")
    if not os.path.exists(path):
        sys.exit(f"clip_peer: {path} is missing (tools/make_vitb32.py writes it)")
    blob = torch.load(path, map_location="cpu")
    sd = blob["state_dict"] if isinstance(blob, dict) and "state_dict" in blob else blob
    sd = OrderedDict((k[len("visual."):] if k.startswith("visual.") else k, v) for k, v in sd.items())
    width = sd["conv1.weight"].shape[0]
    patch = sd["conv1.weight"].shape[-1]
    layers = len({k.split(".")[2] for k in sd if k.startswith("transformer.resblocks.")})
    grid = round((sd["positional_embedding"].shape[0] - 1) ** 0.5)
    output_dim = sd["proj"].shape[1]
    heads = width // 64
    visual = VisionTransformer(patch * grid, patch, width, layers, heads, output_dim)
    visual.load_state_dict(sd)
    visual.eval()
    desc = f"ViT width {width}, {layers} layers, {heads} heads, patch {patch}, {patch * grid} px, embedding {output_dim}"
    return visual, desc


def make_preprocess(model_dir):
    """OpenAI's ``preprocess`` (clip/clip.py _transform), with size/mean/std from visual/preprocess_cfg.json."""
    size, mean, std = 224, CLIP_MEAN, CLIP_STD
    cfg_path = os.path.join(model_dir, "visual", "preprocess_cfg.json")
    if os.path.exists(cfg_path):
        with open(cfg_path) as fh:
            cfg = json.load(fh)
        s = cfg.get("size", size)
        size = s[0] if isinstance(s, list) else s
        mean, std = tuple(cfg.get("mean", mean)), tuple(cfg.get("std", std))
    return Compose([
        Resize(size, interpolation=InterpolationMode.BICUBIC),
        CenterCrop(size),
        lambda im: im.convert("RGB"),
        ToTensor(),
        Normalize(mean, std),
    ]), size


def decode_image(data, preprocess):
    if data is None or len(data) == 0:
        raise EventError("EMPTY", "the image has no bytes")
    try:
        im = Image.open(io.BytesIO(data))
    except UnidentifiedImageError as e:
        raise EventError("UNKNOWN_FORMAT", f"not an image format PIL can read: {e}")
    try:
        im.load()
        return preprocess(im)
    except Exception as e:  # noqa: BLE001 - PIL raises many types for bad input
        raise EventError("CORRUPT", f"cannot decode the image: {type(e).__name__}: {e}")


# ------------------------------------------------------------------------------------------------------------
# Label set (the Avro container file `clipstream labels compile -o FILE.avro` writes)
# ------------------------------------------------------------------------------------------------------------

class LabelSet:
    """Scores L2-normalised image embeddings as ClipStream's CompiledLabelSet does (tags only, no policies)."""

    def __init__(self, path):
        with open(path, "rb") as fh:
            reader = avro.datafile.DataFileReader(fh, avro.io.DatumReader())
            records = list(reader)
            reader.close()
        if len(records) != 1:
            sys.exit(f"clip_peer: {path} holds {len(records)} label sets, expected 1")
        rec = records[0]
        self.name, self.version = rec["name"], rec["version"]
        self.model_id, self.fingerprint = rec["modelId"], rec["modelFingerprint"]
        self.dimension = rec["dimension"]
        self.labels = rec["labels"]
        self.matrix = np.asarray([lab["embedding"] for lab in self.labels], dtype=np.float32)  # [L, D]
        assert self.matrix.shape == (len(self.labels), self.dimension), self.matrix.shape
        self.counters = [np.asarray(lab["counterEmbeddings"], dtype=np.float32).reshape(-1, self.dimension)
                         for lab in self.labels]
        # groups in declared order; a group's members in label order (groups no label refers to are ignored)
        self.plans = []
        for g in rec["groups"]:
            members = np.asarray([i for i, lab in enumerate(self.labels) if lab["group"] == g["name"]], dtype=np.int64)
            if len(members):
                self.plans.append((g, members))

    def score(self, embeddings):
        """embeddings [N, D] float32, L2-normalised -> one list of tag dicts per image."""
        cos = embeddings @ self.matrix.T  # [N, L]
        out = []
        for n in range(cos.shape[0]):
            row, tags = cos[n], []
            for g, members in self.plans:
                c = row[members]
                if g["scoring"] == "SOFTMAX":
                    z = float(g["logitScale"]) * c.astype(np.float64)
                    p = np.exp(z - z.max())
                    p /= p.sum()
                    order = np.argsort(-p, kind="stable")
                    for r, i in enumerate(order[:g["topK"]]):
                        if p[i] < g["minProbability"]:
                            break
                        tags.append(self._tag(members[i], float(p[i]), r + 1))
                else:
                    passed = []
                    for i, l in enumerate(members):
                        thr = self.labels[l]["threshold"]
                        if thr is None or c[i] < thr:
                            continue
                        cnt = self.counters[l]
                        if len(cnt) and float((cnt @ embeddings[n]).max()) >= c[i]:
                            continue
                        passed.append(i)
                    passed.sort(key=lambda i: -c[i])  # stable: ties keep label order
                    for r, i in enumerate(passed):
                        tags.append(self._tag(members[i], float(c[i]), r + 1))
            out.append(tags)
        return out

    def _tag(self, l, score, rank):
        lab = self.labels[l]
        return {"labelId": lab["id"], "displayName": lab["displayName"], "score": score, "rank": rank,
                "group": lab["group"]}


# ------------------------------------------------------------------------------------------------------------
# The consumer loop
# ------------------------------------------------------------------------------------------------------------

def percentile(values, q):
    if not values:
        return None
    s = sorted(values)
    return s[min(len(s) - 1, max(0, math.ceil(q / 100.0 * len(s)) - 1))]  # nearest rank


class Peer:
    def __init__(self, args):
        self.args = args
        self.stop = False
        self.decoder = RegistryDecoder(args.schema_registry)
        self.preprocess, self.size = make_preprocess(args.model_dir)
        t0 = time.monotonic()
        self.visual, desc = load_visual(args.model_dir)
        self.labels = LabelSet(args.labels)
        out_dim = self.visual.output_dim
        if self.labels.dimension != out_dim:
            sys.exit(f"clip_peer: label set {self.labels.name} has {self.labels.dimension} dimensions, the model "
                     f"{out_dim}: compile it for this model")
        self.model_id = args.model_id or os.path.basename(os.path.abspath(args.model_dir))
        with torch.inference_mode():  # warm-up, so the first real batch is not charged for lazy initialisation
            self.visual(torch.zeros(2, 3, self.size, self.size))
        log(f"model {self.model_id}: {desc}; label set {self.labels.name} v{self.labels.version}: "
            f"{len(self.labels.labels)} labels; torch threads {torch.get_num_threads()}; "
            f"loaded in {time.monotonic() - t0:.1f} s")
        self.consumer = Consumer({
            "bootstrap.servers": args.bootstrap_servers,
            "group.id": args.group,
            "enable.auto.commit": False,
            "auto.offset.reset": "earliest",
            "isolation.level": "read_committed",
        })
        self.producer = Producer({
            "bootstrap.servers": args.bootstrap_servers,
            "enable.idempotence": True,
            "acks": "all",
            "linger.ms": 5,
            "compression.type": "none",
        })
        self.buffer = []  # pending events: dict(msg, received, occurred, event_id, pixels | error)
        self.latencies_ms, self.e2e_ms = [], []
        self.events = self.errors = self.batches = self.images = 0
        self.stage = {"poll_s": 0.0, "decode_s": 0.0, "infer_s": 0.0, "score_s": 0.0, "produce_commit_s": 0.0}
        self.first_received = self.last_done = None
        self.done_times = []

    # -- kafka callbacks
    def on_revoke(self, consumer, partitions):
        gone = {(p.topic, p.partition) for p in partitions}
        before = len(self.buffer)
        self.buffer = [e for e in self.buffer if (e["msg"].topic(), e["msg"].partition()) not in gone]
        if before != len(self.buffer):
            log(f"partitions revoked: dropped {before - len(self.buffer)} uncommitted buffered events")

    def on_assign(self, consumer, partitions):
        log(f"assigned {', '.join(f'{p.topic}[{p.partition}]' for p in partitions)}")

    # -- per event
    def accept(self, msg, received):
        entry = {"msg": msg, "received": received, "occurred": None, "event_id": None}
        t0 = time.perf_counter()
        try:
            event = self.decoder.decode(msg.value())
            entry["occurred"] = millis(event.get("occurredAt"))
            entry["event_id"] = event.get("eventId")
            if not entry["event_id"]:
                raise EventError("MISSING_EVENT_ID", "the event has no eventId")
            image = event.get("image") or {}
            if "bytes" not in image:
                raise EventError("REFERENCE_NOT_ALLOWED",
                                 f"the peer only reads inline images (got a reference to {image.get('uri')})")
            entry["pixels"] = decode_image(image["bytes"], self.preprocess)
        except EventError as e:
            entry["error"] = (e.code, str(e))
        self.stage["decode_s"] += time.perf_counter() - t0
        self.buffer.append(entry)

    def flush(self, entries):
        """Embeds, scores and produces one batch; waits for the acknowledgements, then commits its offsets."""
        ok = [e for e in entries if "pixels" in e]
        infer_ms, infer_start = 0, time.monotonic()
        if ok:
            t0 = time.perf_counter()
            with torch.inference_mode():
                emb = self.visual(torch.stack([e["pixels"] for e in ok]))
                emb = emb / emb.norm(dim=-1, keepdim=True)
            dt = time.perf_counter() - t0
            self.stage["infer_s"] += dt
            infer_ms = round(dt * 1000)
            t0 = time.perf_counter()
            tags = self.labels.score(emb.numpy().astype(np.float32, copy=False))
            self.stage["score_s"] += time.perf_counter() - t0
            for e, t in zip(ok, tags):
                e["tags"] = t
            self.batches += 1
            self.images += len(ok)
        t0 = time.perf_counter()
        now_ms = time.time() * 1000
        for e in entries:
            key = e["event_id"] or (e["msg"].key() or b"")
            if "error" in e:
                value = {"eventId": e["event_id"], "error": e["error"][0], "message": e["error"][1]}
            else:
                value = OrderedDict([
                    ("eventId", e["event_id"]), ("modelId", self.model_id),
                    ("labelSetName", self.labels.name), ("labelSetVersion", self.labels.version),
                    ("tags", e["tags"]),
                    ("timings", {"queuedMs": max(0, round((infer_start - e["received"]) * 1000)),
                                 "inferenceMs": infer_ms,
                                 "endToEndMs": round(now_ms - e["occurred"]) if e["occurred"] else None}),
                ])
            self.producer.produce(self.args.output_topic, key=key, value=json.dumps(value).encode(),
                                  on_delivery=self._delivered(e))
        self.producer.flush()
        offsets = {}
        for e in entries:
            m = e["msg"]
            tp = (m.topic(), m.partition())
            offsets[tp] = max(offsets.get(tp, -1), m.offset() + 1)
        self.consumer.commit(offsets=[TopicPartition(t, p, o) for (t, p), o in offsets.items()], asynchronous=False)
        self.stage["produce_commit_s"] += time.perf_counter() - t0

    def _delivered(self, entry):
        def cb(err, msg):
            if err is not None:
                raise KafkaException(err)
            done = time.monotonic()
            self.latencies_ms.append((done - entry["received"]) * 1000)
            if entry["occurred"]:
                self.e2e_ms.append(time.time() * 1000 - entry["occurred"])
            self.events += 1
            self.errors += "error" in entry
            self.last_done = done
            self.done_times.append(done)
        return cb

    def run(self):
        a = self.args
        self.consumer.subscribe([a.input_topic], on_assign=self.on_assign, on_revoke=self.on_revoke)
        delay_s = a.max_delay_ms / 1000.0
        started, last_progress = time.monotonic(), time.monotonic()
        while not self.stop:
            if a.expected and self.events >= a.expected:
                break
            if a.timeout_s and time.monotonic() - started > a.timeout_s:
                log(f"timed out after {a.timeout_s} s with {self.events} events")
                break
            # wait at most until the oldest buffered event is due
            wait = 0.5 if not self.buffer else max(0.0, delay_s - (time.monotonic() - self.buffer[0]["received"]))
            t0 = time.perf_counter()
            msgs = self.consumer.consume(num_messages=max(1, a.batch_size - len(self.buffer)), timeout=wait)
            self.stage["poll_s"] += time.perf_counter() - t0
            for m in msgs:
                if m.error():
                    if m.error().code() == KafkaError._PARTITION_EOF:
                        continue
                    raise KafkaException(m.error())
                now = time.monotonic()
                if self.first_received is None:
                    self.first_received = now
                self.accept(m, now)
            while self.buffer and (len(self.buffer) >= a.batch_size
                                   or time.monotonic() - self.buffer[0]["received"] >= delay_s):
                batch, self.buffer = self.buffer[:a.batch_size], self.buffer[a.batch_size:]
                self.flush(batch)
            if time.monotonic() - last_progress >= 5:
                last_progress = time.monotonic()
                log(f"progress: {self.events} events ({self.errors} errors)")
        if self.buffer and self.stop:
            log(f"stopping: {len(self.buffer)} buffered events left uncommitted (re-read on restart)")
        self.consumer.close()
        self.producer.flush(10)
        return self.figures()

    def figures(self):
        secs = (self.last_done - self.first_received) if self.first_received and self.last_done else 0.0
        r = lambda x, n=1: None if x is None else round(x, n)  # noqa: E731
        return OrderedDict([
            ("events", self.events),
            ("seconds", r(secs, 3)),
            ("events_per_s", r(self.events / secs if secs > 0 else None, 2)),
            ("steady_events_per_s", r(steady_rate(self.done_times), 2)),
            ("p50_ms", r(percentile(self.latencies_ms, 50))),
            ("p99_ms", r(percentile(self.latencies_ms, 99))),
            ("e2e_p50_ms", r(percentile(self.e2e_ms, 50))),
            ("e2e_p99_ms", r(percentile(self.e2e_ms, 99))),
            ("errors", self.errors),
            ("batches", self.batches),
            ("mean_batch", r(self.images / self.batches if self.batches else None, 2)),
            ("stage_seconds", {k: round(v, 3) for k, v in self.stage.items()}),
            ("batch_size", self.args.batch_size),
            ("max_delay_ms", self.args.max_delay_ms),
            ("threads", torch.get_num_threads()),
            ("model", self.model_id),
        ])


def steady_rate(done_times):
    """Results per second between the 10th and the 90th percentile of completion times (start-up excluded)."""
    t = sorted(done_times)
    if len(t) < 10:
        return None
    lo, hi = int(len(t) * 0.1), int(math.ceil(len(t) * 0.9)) - 1
    return (hi - lo) / (t[hi] - t[lo]) if t[hi] > t[lo] else None


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bootstrap-servers", required=True)
    ap.add_argument("--schema-registry", required=True, help="Confluent-REST schema registry base URL")
    ap.add_argument("--input-topic", default="image-events")
    ap.add_argument("--output-topic", default="peer-tags")
    ap.add_argument("--group", default="clip-peer")
    ap.add_argument("--model-dir", required=True, help="folder with visual.pt (tools/make_vitb32.py)")
    ap.add_argument("--model-id", default=None, help="modelId written on the results (default: folder name)")
    ap.add_argument("--labels", required=True, help="label set compiled by `clipstream labels compile -o FILE.avro`")
    ap.add_argument("--batch-size", type=int, default=16)
    ap.add_argument("--max-delay-ms", type=int, default=50, help="flush a partial batch when its oldest event is "
                                                                  "this old (default 50)")
    ap.add_argument("--expected", type=int, default=0, help="stop after N events and print the figures")
    ap.add_argument("--timeout-s", type=float, default=0, help="give up after this many seconds (default: never)")
    ap.add_argument("--threads", type=int, default=0,
                    help="torch intra-op threads (default: the cores this process may use; Debian's torch "
                         "would otherwise pick 1)")
    args = ap.parse_args(argv)
    if args.batch_size < 1:
        ap.error("--batch-size must be at least 1")
    torch.set_num_threads(args.threads or len(os.sched_getaffinity(0)))

    peer = Peer(args)

    def handle(signum, _frame):
        log(f"signal {signum}: stopping")
        peer.stop = True
    signal.signal(signal.SIGTERM, handle)
    signal.signal(signal.SIGINT, handle)

    figures = peer.run()
    print(json.dumps(figures), flush=True)
    return 0 if not args.expected or figures["events"] >= args.expected else 1


if __name__ == "__main__":
    sys.exit(main())
