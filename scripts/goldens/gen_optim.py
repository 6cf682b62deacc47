"""Golden optimizer trajectories for the TypeScript reference core (src/optim).

Run with Debian's Python, which has PyTorch installed:

    /usr/bin/python3 scripts/goldens/gen_optim.py

Every case starts from the same small float64 parameters (shapes [3] and [2, 2]), draws its gradients
from a seeded generator, runs the optimizer for a fixed number of steps and records the gradients and
the parameters after every step. Cases marked `dtype="float32"` do the same with float32 tensors of
shapes [37] and [4, 9] (long enough for torch's vectorized kernels), and their files say `"dtype": "float32"`. Output: fixtures/goldens/optim/<case>.json. Deterministic: the same
torch build writes the same bytes.

Most cases run the real `torch.optim` class. Two optimizers changed after torch 1.13, the version
installed here: NAdam's update (pytorch#92699) and RAdam's options (`decoupled_weight_decay`,
`maximize`). Those cases come from `nadam_2x` / `radam_2x` below: line-for-line Python ports of torch
2.x `_single_tensor_nadam` / `_single_tensor_radam`, executed with torch tensor ops. Their JSON files
say so in `source`. Each port is first checked against torch 1.13 on the behaviour both versions
share (for NAdam, with the 1.13 double-counted momentum factor switched back on).
"""
import json
import os
import sys

import torch

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "fixtures", "goldens", "optim")
SHAPES = [(3,), (2, 2)]
TORCH_SOURCE = "torch " + torch.__version__


# Float32 cases use longer parameters, so torch's vectorized kernels (8 lanes on AVX2) run on them as
# well as its scalar tails.
SHAPES_FLOAT32 = [(37,), (4, 9)]


def initial_params(shapes=SHAPES, dtype=torch.float64):
    gen = torch.Generator().manual_seed(1234)
    return [torch.randn(shape, generator=gen, dtype=torch.float64).to(dtype) for shape in shapes]


def gradient_stream(seed, steps, missing, shapes=SHAPES, dtype=torch.float64):
    """Gradients per step; `missing` holds (step, param_index) pairs whose gradient is None."""
    gen = torch.Generator().manual_seed(seed)
    stream = []
    for step in range(steps):
        grads = []
        for index, shape in enumerate(shapes):
            # Scales vary per step so the running maxima and averages take both branches.
            scale = 0.5 + 1.5 * ((step * 7 + index * 3) % 5) / 4
            grad = (torch.randn(shape, generator=gen, dtype=torch.float64) * scale).to(dtype)
            grads.append(None if (step, index) in missing else grad)
        stream.append(grads)
    return stream


def flat(tensor):
    return [float(x) for x in tensor.detach().reshape(-1).tolist()]


def run_torch(case, params, stream):
    cls = getattr(torch.optim, case["optimizer"])
    if case.get("groups"):
        groups = [dict(params=[params[i] for i in g["params"]], **g["options"]) for g in case["groups"]]
        optimizer = cls(groups, **case["options"])
    else:
        optimizer = cls(params, **case["options"])
    return drive(optimizer.param_groups, optimizer.step, case, params, stream)


def drive(param_groups, step_fn, case, params, stream):
    records = []
    for step, grads in enumerate(stream):
        lr_changes = case.get("set_lr", {}).get(step)
        if lr_changes:
            for group_index, lr in lr_changes.items():
                param_groups[group_index]["lr"] = lr
        for param, grad in zip(params, grads):
            param.grad = None if grad is None else grad.clone()
        step_fn()
        record = {"grads": [None if g is None else flat(g) for g in grads], "params": [flat(p) for p in params]}
        if lr_changes:
            record["set_lr"] = {str(k): v for k, v in lr_changes.items()}
        records.append(record)
    return records


class PortedOptimizer:
    """Just enough of torch.optim.Optimizer (groups, lazy state, None gradients) to drive a ported step."""

    def __init__(self, params, defaults, init_state, update):
        self.param_groups = [dict(defaults, params=list(params))]
        self.state = {}
        self.init_state = init_state
        self.update = update

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state.setdefault(id(p), {})
                if not state:
                    self.init_state(state, p)
                self.update(p, p.grad, state, group)


def nadam_init(state, p):
    # torch 2.x: step and mu_product are scalar tensors of the default scalar dtype (float32 here).
    state["step"] = torch.tensor(0.0)
    state["mu_product"] = torch.tensor(1.0)
    state["exp_avg"] = torch.zeros_like(p)
    state["exp_avg_sq"] = torch.zeros_like(p)


def nadam_2x(legacy_mu_product_next=False):
    """torch 2.x _single_tensor_nadam (non-capturable, non-differentiable path), ported line for line."""

    def update(param, grad, state, group):
        beta1, beta2 = group["betas"]
        lr, weight_decay, momentum_decay, eps = group["lr"], group["weight_decay"], group["momentum_decay"], group["eps"]
        grad = grad if not group["maximize"] else -grad
        exp_avg, exp_avg_sq, mu_product, step_t = state["exp_avg"], state["exp_avg_sq"], state["mu_product"], state["step"]
        step_t += 1
        step = step_t.item()
        bias_correction2 = 1 - beta2 ** step
        if weight_decay != 0:
            if group["decoupled_weight_decay"]:
                param.mul_(1 - lr * weight_decay)
            else:
                grad = grad.add(param, alpha=weight_decay)
        mu = beta1 * (1.0 - 0.5 * (0.96 ** (step * momentum_decay)))
        mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((step + 1) * momentum_decay)))
        mu_product *= mu
        exp_avg.lerp_(grad, 1 - beta1)
        exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
        denom = exp_avg_sq.div(bias_correction2).sqrt()
        if legacy_mu_product_next:
            mu_product_next = (mu_product * mu * mu_next).item()  # 1.13: a float32 tensor product
        else:
            mu_product_next = mu_product.item() * mu_next
        denom.add_(eps)
        param.addcdiv_(grad, denom, value=(-lr * (1.0 - mu) / (1.0 - mu_product.item())))
        param.addcdiv_(exp_avg, denom, value=(-lr * mu_next) / (1.0 - mu_product_next))

    return update


def radam_init(state, p):
    state["step"] = torch.tensor(0.0)
    state["exp_avg"] = torch.zeros_like(p)
    state["exp_avg_sq"] = torch.zeros_like(p)


def radam_2x(param, grad, state, group):
    """torch 2.x _single_tensor_radam (non-capturable path), ported line for line."""
    beta1, beta2 = group["betas"]
    lr, weight_decay, eps = group["lr"], group["weight_decay"], group["eps"]
    grad = grad if not group["maximize"] else -grad
    exp_avg, exp_avg_sq, step_t = state["exp_avg"], state["exp_avg_sq"], state["step"]
    step_t += 1
    step = step_t.item()
    if weight_decay != 0:
        if group["decoupled_weight_decay"]:
            param.mul_(1 - lr * weight_decay)
        else:
            grad = grad.add(param, alpha=weight_decay)
    exp_avg.lerp_(grad, 1 - beta1)
    exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
    bias_correction1 = 1 - beta1 ** step
    bias_correction2 = 1 - beta2 ** step
    bias_corrected_exp_avg = exp_avg / bias_correction1
    rho_inf = 2 / (1 - beta2) - 1
    rho_t = rho_inf - 2 * step * (beta2 ** step) / bias_correction2
    if rho_t > 5.0:
        rect = ((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5
        adaptive_lr = (bias_correction2 ** 0.5) / exp_avg_sq.sqrt().add_(eps)
        param.add_(bias_corrected_exp_avg * lr * adaptive_lr * rect, alpha=-1.0)
    else:
        param.add_(bias_corrected_exp_avg * lr, alpha=-1.0)


PORTS = {
    "NAdam": dict(
        defaults=dict(lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, momentum_decay=4e-3,
                      decoupled_weight_decay=False, maximize=False),
        init=nadam_init, update=nadam_2x(),
        source="python port of torch 2.x _single_tensor_nadam (scripts/goldens/gen_optim.py), run on " + TORCH_SOURCE,
    ),
    "RAdam": dict(
        defaults=dict(lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, decoupled_weight_decay=False, maximize=False),
        init=radam_init, update=radam_2x,
        source="python port of torch 2.x _single_tensor_radam (scripts/goldens/gen_optim.py), run on " + TORCH_SOURCE,
    ),
}


def run_port(case, params, stream, update=None):
    port = PORTS[case["optimizer"]]
    optimizer = PortedOptimizer(params, dict(port["defaults"], **case["options"]), port["init"], update or port["update"])
    return drive(optimizer.param_groups, optimizer.step, case, params, stream)


def max_relative_error(a, b):
    worst = 0.0
    for ra, rb in zip(a, b):
        for pa, pb in zip(ra["params"], rb["params"]):
            for x, y in zip(pa, pb):
                worst = max(worst, abs(x - y) / max(abs(y), 1e-300))
    return worst


def check_ports():
    """Each port must reproduce torch 1.13 where 1.13 and 2.x agree (2.x uses lerp_ where 1.13 has mul_/add_,
    so the last bits may differ)."""
    stream = gradient_stream(99, 15, set())
    for options in [dict(lr=0.01), dict(lr=0.01, weight_decay=0.1, momentum_decay=0.01)]:
        case = dict(optimizer="NAdam", options=options)
        ported = run_port(case, initial_params(), stream, update=nadam_2x(legacy_mu_product_next=True))
        real = run_torch(case, initial_params(), stream)
        assert max_relative_error(ported, real) < 1e-13, "NAdam port differs from torch 1.13 (legacy mu_product_next)"
        case = dict(optimizer="RAdam", options=options if "momentum_decay" not in options else dict(lr=0.01, weight_decay=0.1))
        ported, real = run_port(case, initial_params(), stream), run_torch(case, initial_params(), stream)
        assert max_relative_error(ported, real) < 1e-13, "RAdam port differs from torch 1.13"


def needs_port(case):
    """NAdam's 1.13 update differs from 2.x; RAdam's only lacks the 2.x options."""
    if case["optimizer"] == "NAdam":
        return True
    return case["optimizer"] == "RAdam" and any(k in case["options"] for k in ("decoupled_weight_decay", "maximize"))


def c(name, optimizer, steps=15, **kw):
    return dict(name=name, optimizer=optimizer, steps=steps, options=kw)


CASES = [
    c("sgd_plain", "SGD", lr=0.1),
    c("sgd_momentum", "SGD", lr=0.05, momentum=0.9),
    c("sgd_dampening", "SGD", lr=0.05, momentum=0.9, dampening=0.3),
    c("sgd_nesterov", "SGD", lr=0.05, momentum=0.9, nesterov=True),
    c("sgd_weight_decay", "SGD", lr=0.05, momentum=0.8, weight_decay=0.05),
    c("sgd_weight_decay_no_momentum", "SGD", lr=0.1, weight_decay=0.1),
    c("sgd_maximize", "SGD", lr=0.05, momentum=0.9, maximize=True, weight_decay=0.01),
    c("adam_default", "Adam", lr=0.01),
    c("adam_betas_eps", "Adam", lr=0.02, betas=(0.8, 0.95), eps=1e-3),
    c("adam_amsgrad", "Adam", lr=0.01, amsgrad=True),
    c("adam_maximize", "Adam", lr=0.01, maximize=True),
    c("adam_weight_decay", "Adam", lr=0.01, weight_decay=0.1),
    c("adam_amsgrad_weight_decay_maximize", "Adam", lr=0.01, amsgrad=True, weight_decay=0.05, maximize=True),
    c("adamw_default", "AdamW", lr=0.01),
    c("adamw_weight_decay", "AdamW", lr=0.01, weight_decay=0.1),
    c("adamw_amsgrad", "AdamW", lr=0.01, amsgrad=True, weight_decay=0.1),
    c("adamw_maximize", "AdamW", lr=0.01, maximize=True, weight_decay=0.1),
    c("rmsprop_plain", "RMSprop", lr=0.01),
    c("rmsprop_alpha_eps", "RMSprop", lr=0.01, alpha=0.9, eps=1e-4),
    c("rmsprop_centered", "RMSprop", lr=0.01, centered=True),
    c("rmsprop_momentum", "RMSprop", lr=0.01, momentum=0.9),
    c("rmsprop_centered_momentum_weight_decay", "RMSprop", lr=0.01, centered=True, momentum=0.5, weight_decay=0.1),
    c("rmsprop_maximize", "RMSprop", lr=0.01, maximize=True, momentum=0.3),
    c("adagrad_plain", "Adagrad", lr=0.1),
    c("adagrad_lr_decay", "Adagrad", lr=0.1, lr_decay=0.05),
    c("adagrad_initial_accumulator", "Adagrad", lr=0.1, initial_accumulator_value=0.5, eps=1e-6),
    c("adagrad_weight_decay", "Adagrad", lr=0.1, weight_decay=0.1),
    c("adagrad_maximize", "Adagrad", lr=0.1, maximize=True, lr_decay=0.01),
    c("adamax_plain", "Adamax", lr=0.02),
    c("adamax_weight_decay", "Adamax", lr=0.02, weight_decay=0.1, betas=(0.8, 0.99)),
    c("adamax_maximize", "Adamax", lr=0.02, maximize=True, eps=1e-2),
    c("adadelta_plain", "Adadelta"),
    c("adadelta_rho_eps", "Adadelta", lr=0.5, rho=0.8, eps=1e-4),
    c("adadelta_weight_decay", "Adadelta", lr=1.0, weight_decay=0.1),
    c("adadelta_maximize", "Adadelta", lr=1.0, maximize=True),
    c("nadam_plain", "NAdam", lr=0.01),
    c("nadam_momentum_decay", "NAdam", lr=0.01, momentum_decay=0.05, betas=(0.8, 0.99)),
    c("nadam_weight_decay", "NAdam", lr=0.01, weight_decay=0.1),
    c("nadam_decoupled_weight_decay", "NAdam", lr=0.01, weight_decay=0.1, decoupled_weight_decay=True),
    c("nadam_maximize", "NAdam", lr=0.01, maximize=True),
    c("radam_plain", "RAdam", steps=20, lr=0.01),
    c("radam_beta2", "RAdam", steps=12, lr=0.01, betas=(0.9, 0.9)),
    c("radam_weight_decay", "RAdam", steps=20, lr=0.01, weight_decay=0.1),
    c("radam_decoupled_weight_decay", "RAdam", steps=20, lr=0.01, weight_decay=0.1, decoupled_weight_decay=True),
    c("radam_maximize", "RAdam", steps=20, lr=0.01, maximize=True),
    dict(c("adam_none_grad", "Adam", lr=0.01), missing=[(2, 1), (3, 1), (6, 1), (0, 0)]),
    dict(c("sgd_momentum_none_grad", "SGD", lr=0.05, momentum=0.9), missing=[(1, 0), (4, 0), (5, 1)]),
    dict(c("adagrad_none_grad", "Adagrad", lr=0.1, lr_decay=0.1), missing=[(0, 1), (5, 1)]),
    dict(c("sgd_two_groups", "SGD", lr=0.05, momentum=0.9),
         groups=[dict(params=[0], options={}), dict(params=[1], options=dict(lr=0.1, nesterov=True, weight_decay=0.01))]),
    dict(c("adam_two_groups", "Adam", lr=0.01),
         groups=[dict(params=[1], options=dict(betas=(0.8, 0.9), weight_decay=0.1)), dict(params=[0], options=dict(amsgrad=True))]),
    dict(c("adam_lr_change", "Adam", lr=0.01), set_lr={5: {0: 0.003}, 10: {0: 0.02}}),
    dict(c("sgd_lr_change", "SGD", lr=0.05, momentum=0.9), set_lr={3: {0: 0.01}, 8: {0: 0.1}}),
    dict(c("rmsprop_lr_change_two_groups", "RMSprop", lr=0.01, momentum=0.5),
         groups=[dict(params=[0], options={}), dict(params=[1], options=dict(centered=True))],
         set_lr={4: {1: 0.001}, 9: {0: 0.05, 1: 0.02}}),
    # Last, so the seeds of the cases above stay as they were.
    # Under torch.set_default_dtype(torch.float64) NAdam's mu_product scalar is float64, not float32.
    dict(c("nadam_float64_default_dtype", "NAdam", steps=40, lr=0.01, momentum_decay=0.05), default_dtype="float64"),
    # Float32 parameters, gradients and state: torch computes in float32 (with fused multiply-adds where
    # its AVX2 kernels use them), and the TypeScript float32 path must give the same bits.
    dict(c("sgd_float32_plain", "SGD", lr=0.1), dtype="float32"),
    dict(c("sgd_float32_momentum", "SGD", steps=20, lr=0.05, momentum=0.9), dtype="float32"),
    dict(c("sgd_float32_dampening", "SGD", lr=0.05, momentum=0.9, dampening=0.3), dtype="float32"),
    dict(c("sgd_float32_nesterov_weight_decay", "SGD", lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.01), dtype="float32"),
    dict(c("sgd_float32_weight_decay_maximize", "SGD", lr=0.05, momentum=0.8, weight_decay=0.05, maximize=True), dtype="float32"),
    dict(c("sgd_float32_weight_decay_no_momentum", "SGD", lr=0.1, weight_decay=0.1), dtype="float32"),
    dict(c("adam_float32_default", "Adam", steps=20, lr=0.01), dtype="float32"),
    dict(c("adam_float32_amsgrad", "Adam", lr=0.01, amsgrad=True), dtype="float32"),
    dict(c("adam_float32_weight_decay_maximize", "Adam", lr=0.01, weight_decay=0.1, maximize=True), dtype="float32"),
    dict(c("adam_float32_amsgrad_weight_decay_betas_eps", "Adam", lr=0.02, amsgrad=True, weight_decay=0.05, betas=(0.8, 0.95), eps=1e-3),
         dtype="float32"),
    dict(c("adamw_float32_default", "AdamW", lr=0.01), dtype="float32"),
    dict(c("adamw_float32_amsgrad", "AdamW", lr=0.01, amsgrad=True, weight_decay=0.1), dtype="float32"),
    dict(c("adamw_float32_maximize", "AdamW", lr=0.01, maximize=True, weight_decay=0.1), dtype="float32"),
    dict(c("adam_float32_lr_change", "Adam", lr=0.01), set_lr={5: {0: 0.003}, 10: {0: 0.02}}, dtype="float32"),
]


def main():
    check_ports()
    os.makedirs(OUT, exist_ok=True)
    for old in os.listdir(OUT):
        if old.endswith(".json"):
            os.remove(os.path.join(OUT, old))
    for seed, case in enumerate(CASES):
        float32 = case.get("dtype") == "float32"
        shapes, dtype = (SHAPES_FLOAT32, torch.float32) if float32 else (SHAPES, torch.float64)
        params = initial_params(shapes, dtype)
        start = [flat(p) for p in params]
        stream = gradient_stream(1000 + seed, case["steps"], set(case.get("missing", [])), shapes, dtype)
        if case.get("default_dtype") == "float64":
            torch.set_default_dtype(torch.float64)
        try:
            if needs_port(case):
                source = PORTS[case["optimizer"]]["source"]
                records = run_port(case, params, stream)
            else:
                source = TORCH_SOURCE
                records = run_torch(case, params, stream)
        finally:
            torch.set_default_dtype(torch.float32)
        golden = {
            "name": case["name"],
            "source": source,
            "optimizer": case["optimizer"],
            "options": {k: list(v) if isinstance(v, tuple) else v for k, v in case["options"].items()},
            "groups": [
                {"params": g["params"], "options": {k: list(v) if isinstance(v, tuple) else v for k, v in g["options"].items()}}
                for g in case.get("groups", [])
            ] or None,
            "shapes": [list(s) for s in shapes],
            **({"default_dtype": case["default_dtype"]} if "default_dtype" in case else {}),
            **({"dtype": "float32"} if float32 else {}),
            "initial": start,
            "steps": records,
        }
        with open(os.path.join(OUT, case["name"] + ".json"), "w") as f:
            json.dump(golden, f, indent=None, separators=(",", ":"))
            f.write("\n")
    print(f"wrote {len(CASES)} cases to {os.path.relpath(OUT, ROOT)}", file=sys.stderr)


if __name__ == "__main__":
    main()
