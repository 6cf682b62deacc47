"""Write golden learning-rate trajectories from real PyTorch for the TypeScript schedulers.

Run with Debian's Python, which has torch installed:

    /usr/bin/python3 scripts/goldens/gen_sched.py

Each case becomes fixtures/goldens/sched/<name>.json holding the case spec (optimizer, scheduler and
its keyword arguments, the step() calls) and the lr of every parameter group after construction and
after each step(), plus momentum / beta1 for OneCycleLR with cycle_momentum. Floats are written with
Python's shortest round-trip repr, so the TypeScript side reads the exact doubles back.

fixtures/goldens/sched/training/<name>.json holds short runs of real torch SGD / Adam on a quadratic
under a scheduler (parameters after every step), for the test that drives the TypeScript optimizers.

The transformers schedules are not part of torch. They are rebuilt here on torch's LambdaLR with the
same lambdas transformers uses (transformers/optimization.py), so the goldens do not need transformers.
"""

import json
import math
import os
import sys
import warnings

import torch
from torch.optim import lr_scheduler

OUT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "fixtures", "goldens", "sched")


def hf_linear_lambda(num_warmup_steps, num_training_steps):
    """transformers' get_linear_schedule_with_warmup lambda."""

    def lr_lambda(current_step):
        if current_step < num_warmup_steps:
            return float(current_step) / float(max(1, num_warmup_steps))
        return max(0.0, float(num_training_steps - current_step) / float(max(1, num_training_steps - num_warmup_steps)))

    return lr_lambda


def hf_cosine_lambda(num_warmup_steps, num_training_steps, num_cycles=0.5):
    """transformers' get_cosine_schedule_with_warmup lambda."""

    def lr_lambda(current_step):
        if current_step < num_warmup_steps:
            return float(current_step) / float(max(1, num_warmup_steps))
        progress = float(current_step - num_warmup_steps) / float(max(1, num_training_steps - num_warmup_steps))
        return max(0.0, 0.5 * (1.0 + math.cos(math.pi * float(num_cycles) * 2.0 * progress)))

    return lr_lambda


# Plain lambdas for LambdaLR cases, by name; the TypeScript test defines the same ones.
NAMED_LAMBDAS = {
    "pow095": lambda epoch: 0.95 ** epoch,
    "halve_every_10": lambda epoch: 0.5 ** (epoch // 10),
    "inverse_sqrt": lambda epoch: 1.0 / math.sqrt(epoch + 1),
}


def make_optimizer(spec, initial_params=None):
    """An SGD or Adam optimizer with one float64 parameter per group (a single zero unless given)."""
    groups = []
    for i, g in enumerate(spec["groups"]):
        values = initial_params[i] if initial_params else [0.0]
        param = torch.tensor(values, dtype=torch.float64, requires_grad=True)
        groups.append({"params": [param], "lr": g["lr"]})
    options = dict(spec.get("options", {}))
    if spec["type"] == "SGD":
        opt = torch.optim.SGD(groups, **options)
    elif spec["type"] == "Adam":
        if "betas" in options:
            options["betas"] = tuple(options["betas"])
        opt = torch.optim.Adam(groups, **options)
    else:
        raise ValueError(spec["type"])
    for g, group in zip(spec["groups"], opt.param_groups):
        if "initial_lr" in g:
            group["initial_lr"] = g["initial_lr"]
    return opt


def make_scheduler(opt, spec):
    """A torch scheduler (or transformers-style LambdaLR) from a case spec."""
    kind, kwargs = spec["type"], dict(spec.get("kwargs", {}))
    if kind == "SequentialLR":
        children = [make_scheduler(opt, child) for child in kwargs.pop("schedulers")]
        return lr_scheduler.SequentialLR(opt, children, **kwargs)
    if kind == "LambdaLR":
        names = kwargs.pop("lr_lambda")
        fns = [NAMED_LAMBDAS[n] for n in names] if isinstance(names, list) else NAMED_LAMBDAS[names]
        return lr_scheduler.LambdaLR(opt, fns, **kwargs)
    if kind == "get_linear_schedule_with_warmup":
        last_epoch = kwargs.pop("last_epoch", -1)
        return lr_scheduler.LambdaLR(opt, hf_linear_lambda(**kwargs), last_epoch)
    if kind == "get_cosine_schedule_with_warmup":
        last_epoch = kwargs.pop("last_epoch", -1)
        return lr_scheduler.LambdaLR(opt, hf_cosine_lambda(**kwargs), last_epoch)
    return getattr(lr_scheduler, kind)(opt, **kwargs)


def momentum_of(group):
    """The momentum OneCycleLR cycles: beta1 for Adam-like groups, momentum otherwise."""
    return group["betas"][0] if "betas" in group else group["momentum"]


def run_case(case):
    opt = make_optimizer(case["optimizer"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sched = make_scheduler(opt, case["scheduler"])
        track_momentum = case["scheduler"]["type"] == "OneCycleLR" and case["scheduler"]["kwargs"].get(
            "cycle_momentum", True
        )
        lrs = [[g["lr"] for g in opt.param_groups]]
        last_lrs = [list(sched.get_last_lr())]
        moms = [[momentum_of(g) for g in opt.param_groups]] if track_momentum else None
        calls = case.get("calls") or [None] * case["steps"]
        for epoch in calls:
            opt.step()
            if epoch is None:
                sched.step()
            else:
                sched.step(epoch)
            lrs.append([g["lr"] for g in opt.param_groups])
            last_lrs.append(list(sched.get_last_lr()))
            if moms is not None:
                moms.append([momentum_of(g) for g in opt.param_groups])
    result = dict(case)
    result["torch_version"] = torch.__version__
    result["lr"] = lrs
    if last_lrs != lrs:
        result["last_lr"] = last_lrs
    if moms is not None:
        result["momentum"] = moms
    return result


TWO_SGD = {"type": "SGD", "groups": [{"lr": 0.1}, {"lr": 0.03}], "options": {"momentum": 0.9}}
ONE_SGD = {"type": "SGD", "groups": [{"lr": 0.05}], "options": {"momentum": 0.9}}
TWO_ADAM = {"type": "Adam", "groups": [{"lr": 1e-3}, {"lr": 3e-4}], "options": {"betas": [0.9, 0.999]}}


def resumed(opt_spec, initial_lrs, lrs):
    """An optimizer spec whose groups already carry initial_lr, as when resuming (last_epoch != -1)."""
    spec = json.loads(json.dumps(opt_spec))
    for group, initial_lr, lr in zip(spec["groups"], initial_lrs, lrs):
        group["initial_lr"] = initial_lr
        group["lr"] = lr
    return spec


CASES = [
    # StepLR: decay every step_size; default gamma 0.1.
    {"name": "step_lr", "optimizer": TWO_SGD, "scheduler": {"type": "StepLR", "kwargs": {"step_size": 3, "gamma": 0.5}}, "steps": 40},
    {"name": "step_lr_default_gamma", "optimizer": ONE_SGD, "scheduler": {"type": "StepLR", "kwargs": {"step_size": 7}}, "steps": 30},
    # Resuming at last_epoch=10: groups carry initial_lr, first step is epoch 11.
    {"name": "step_lr_resume", "optimizer": resumed(TWO_SGD, [0.1, 0.03], [0.0125, 0.00375]), "scheduler": {"type": "StepLR", "kwargs": {"step_size": 3, "gamma": 0.5, "last_epoch": 10}}, "steps": 30},
    # Deprecated step(epoch): the closed form is used for that call, the recursive form after it.
    {"name": "step_lr_explicit_epoch", "optimizer": TWO_SGD, "scheduler": {"type": "StepLR", "kwargs": {"step_size": 4, "gamma": 0.7}}, "calls": [None, None, 9, None, None, None, 2, None, None, None, None, None, 20, None]},
    # MultiStepLR: a repeated milestone applies gamma twice; milestones need not be sorted.
    {"name": "multistep_lr", "optimizer": TWO_SGD, "scheduler": {"type": "MultiStepLR", "kwargs": {"milestones": [5, 12, 12, 25], "gamma": 0.3}}, "steps": 40},
    {"name": "multistep_lr_unsorted_default_gamma", "optimizer": ONE_SGD, "scheduler": {"type": "MultiStepLR", "kwargs": {"milestones": [20, 4]}}, "steps": 30},
    {"name": "multistep_lr_explicit_epoch", "optimizer": ONE_SGD, "scheduler": {"type": "MultiStepLR", "kwargs": {"milestones": [3, 6, 6], "gamma": 0.5}}, "calls": [None, None, 7, None, 1, None, None, None, None, None]},
    # ExponentialLR: multiply by gamma every step.
    {"name": "exponential_lr", "optimizer": TWO_SGD, "scheduler": {"type": "ExponentialLR", "kwargs": {"gamma": 0.93}}, "steps": 80},
    # CosineAnnealingLR: past T_max the recursive form climbs back (the (2k+1)T_max branch).
    {"name": "cosine_annealing_lr", "optimizer": TWO_SGD, "scheduler": {"type": "CosineAnnealingLR", "kwargs": {"T_max": 10, "eta_min": 0.001}}, "steps": 50},
    {"name": "cosine_annealing_lr_default_eta_min", "optimizer": TWO_ADAM, "scheduler": {"type": "CosineAnnealingLR", "kwargs": {"T_max": 37}}, "steps": 100},
    # Resuming: the first step with last_epoch > 0 uses the closed form (the _step_count == 1 branch).
    {"name": "cosine_annealing_lr_resume", "optimizer": resumed(TWO_SGD, [0.1, 0.03], [0.08, 0.02]), "scheduler": {"type": "CosineAnnealingLR", "kwargs": {"T_max": 20, "eta_min": 0.0005, "last_epoch": 7}}, "steps": 40},
    {"name": "cosine_annealing_lr_explicit_epoch", "optimizer": ONE_SGD, "scheduler": {"type": "CosineAnnealingLR", "kwargs": {"T_max": 12, "eta_min": 0.001}}, "calls": [None, None, 6, None, None, 0, None, 13, None, None]},
    # LinearLR: warmup (default factors) and decay.
    {"name": "linear_lr_default", "optimizer": TWO_SGD, "scheduler": {"type": "LinearLR"}, "steps": 20},
    {"name": "linear_lr_decay", "optimizer": TWO_ADAM, "scheduler": {"type": "LinearLR", "kwargs": {"start_factor": 1.0, "end_factor": 0.05, "total_iters": 30}}, "steps": 45},
    {"name": "linear_lr_warmup", "optimizer": TWO_SGD, "scheduler": {"type": "LinearLR", "kwargs": {"start_factor": 0.01, "end_factor": 1.0, "total_iters": 17}}, "steps": 30},
    # ConstantLR and PolynomialLR.
    {"name": "constant_lr", "optimizer": TWO_SGD, "scheduler": {"type": "ConstantLR", "kwargs": {"factor": 0.25, "total_iters": 6}}, "steps": 15},
    {"name": "constant_lr_default", "optimizer": ONE_SGD, "scheduler": {"type": "ConstantLR"}, "steps": 10},
    {"name": "polynomial_lr", "optimizer": TWO_SGD, "scheduler": {"type": "PolynomialLR", "kwargs": {"total_iters": 25, "power": 2.0}}, "steps": 35},
    {"name": "polynomial_lr_default", "optimizer": ONE_SGD, "scheduler": {"type": "PolynomialLR"}, "steps": 10},
    # LambdaLR: one lambda for all groups, and one per group.
    {"name": "lambda_lr", "optimizer": TWO_SGD, "scheduler": {"type": "LambdaLR", "kwargs": {"lr_lambda": "pow095"}}, "steps": 60},
    {"name": "lambda_lr_per_group", "optimizer": TWO_SGD, "scheduler": {"type": "LambdaLR", "kwargs": {"lr_lambda": ["halve_every_10", "inverse_sqrt"]}}, "steps": 45},
    # transformers schedules (LambdaLR with the transformers lambdas).
    {"name": "hf_linear_warmup", "optimizer": TWO_ADAM, "scheduler": {"type": "get_linear_schedule_with_warmup", "kwargs": {"num_warmup_steps": 10, "num_training_steps": 50}}, "steps": 60},
    {"name": "hf_linear_no_warmup", "optimizer": TWO_ADAM, "scheduler": {"type": "get_linear_schedule_with_warmup", "kwargs": {"num_warmup_steps": 0, "num_training_steps": 37}}, "steps": 40},
    {"name": "hf_cosine_warmup", "optimizer": TWO_ADAM, "scheduler": {"type": "get_cosine_schedule_with_warmup", "kwargs": {"num_warmup_steps": 6, "num_training_steps": 70}}, "steps": 80},
    {"name": "hf_cosine_cycles", "optimizer": TWO_SGD, "scheduler": {"type": "get_cosine_schedule_with_warmup", "kwargs": {"num_warmup_steps": 3, "num_training_steps": 40, "num_cycles": 1.5}}, "steps": 45},
    # OneCycleLR: cos / linear, two / three phases, momentum on SGD, beta1 on Adam, no cycling.
    {"name": "one_cycle_cos_sgd", "optimizer": TWO_SGD, "scheduler": {"type": "OneCycleLR", "kwargs": {"max_lr": [0.5, 0.2], "total_steps": 100}}, "steps": 100},
    {"name": "one_cycle_linear_three_phase_sgd", "optimizer": TWO_SGD, "scheduler": {"type": "OneCycleLR", "kwargs": {"max_lr": 0.4, "epochs": 10, "steps_per_epoch": 8, "pct_start": 0.25, "anneal_strategy": "linear", "three_phase": True}}, "steps": 80},
    {"name": "one_cycle_cos_three_phase_sgd", "optimizer": ONE_SGD, "scheduler": {"type": "OneCycleLR", "kwargs": {"max_lr": 0.3, "total_steps": 50, "pct_start": 0.35, "three_phase": True, "base_momentum": 0.8, "max_momentum": 0.92}}, "steps": 50},
    {"name": "one_cycle_cos_adam_betas", "optimizer": TWO_ADAM, "scheduler": {"type": "OneCycleLR", "kwargs": {"max_lr": [0.01, 0.004], "total_steps": 60, "base_momentum": [0.8, 0.82], "max_momentum": [0.9, 0.93], "div_factor": 10.0, "final_div_factor": 100.0}}, "steps": 60},
    {"name": "one_cycle_linear_adam_betas", "optimizer": TWO_ADAM, "scheduler": {"type": "OneCycleLR", "kwargs": {"max_lr": 0.003, "total_steps": 40, "pct_start": 0.1, "anneal_strategy": "linear"}}, "steps": 40},
    {"name": "one_cycle_no_momentum_adam", "optimizer": TWO_ADAM, "scheduler": {"type": "OneCycleLR", "kwargs": {"max_lr": 0.002, "total_steps": 30, "cycle_momentum": False, "three_phase": True}}, "steps": 30},
    # SequentialLR: at a milestone the next scheduler is stepped with step(0) (closed form at epoch 0).
    {"name": "sequential_linear_cosine", "optimizer": TWO_SGD, "scheduler": {"type": "SequentialLR", "kwargs": {"schedulers": [{"type": "LinearLR", "kwargs": {"start_factor": 0.1, "total_iters": 5}}, {"type": "CosineAnnealingLR", "kwargs": {"T_max": 30, "eta_min": 0.0001}}], "milestones": [5]}}, "steps": 45},
    {"name": "sequential_three_schedulers", "optimizer": TWO_SGD, "scheduler": {"type": "SequentialLR", "kwargs": {"schedulers": [{"type": "ConstantLR", "kwargs": {"factor": 0.5, "total_iters": 4}}, {"type": "ExponentialLR", "kwargs": {"gamma": 0.9}}, {"type": "StepLR", "kwargs": {"step_size": 5, "gamma": 0.5}}], "milestones": [4, 15]}}, "steps": 35},
    # A milestone before the first scheduler is done (ConstantLR still reduced), and a LambdaLR (no closed form).
    {"name": "sequential_early_milestone_lambda", "optimizer": TWO_ADAM, "scheduler": {"type": "SequentialLR", "kwargs": {"schedulers": [{"type": "ConstantLR", "kwargs": {"factor": 0.2, "total_iters": 10}}, {"type": "LambdaLR", "kwargs": {"lr_lambda": "inverse_sqrt"}}], "milestones": [3]}}, "steps": 30},
    {"name": "sequential_multistep_polynomial", "optimizer": ONE_SGD, "scheduler": {"type": "SequentialLR", "kwargs": {"schedulers": [{"type": "MultiStepLR", "kwargs": {"milestones": [2, 4], "gamma": 0.5}}, {"type": "PolynomialLR", "kwargs": {"total_iters": 10, "power": 1.5}}], "milestones": [6]}}, "steps": 25},
]


# Training runs: a real torch optimizer on the quadratic 0.5 * |p - target|^2 under a scheduler, so the
# test can drive the TypeScript optimizers and see that they pick up the scheduled lr and momentum.
TRAINING_CASES = [
    {"name": "sgd_one_cycle", "optimizer": {"type": "SGD", "groups": [{"lr": 0.1}, {"lr": 0.1}], "options": {"momentum": 0.9}}, "scheduler": {"type": "OneCycleLR", "kwargs": {"max_lr": [0.3, 0.1], "total_steps": 40}}, "steps": 40},
    {"name": "adam_one_cycle_betas", "optimizer": {"type": "Adam", "groups": [{"lr": 0.01}, {"lr": 0.01}], "options": {"betas": [0.9, 0.99]}}, "scheduler": {"type": "OneCycleLR", "kwargs": {"max_lr": 0.05, "total_steps": 30, "three_phase": True}}, "steps": 30},
    {"name": "sgd_sequential_warmup_cosine", "optimizer": {"type": "SGD", "groups": [{"lr": 0.2}], "options": {"momentum": 0.8, "nesterov": True}}, "scheduler": {"type": "SequentialLR", "kwargs": {"schedulers": [{"type": "LinearLR", "kwargs": {"start_factor": 0.2, "total_iters": 5}}, {"type": "CosineAnnealingLR", "kwargs": {"T_max": 20}}], "milestones": [5]}}, "steps": 25},
]
INITIAL_PARAMS = [[1.5, -2.0, 0.25], [-0.75, 3.0, 1.0]]
TARGETS = [[0.5, 0.5, -1.0], [0.0, -1.0, 2.0]]


def run_training_case(case):
    """Params of every group after each optimizer step, with the scheduler stepped after each."""
    opt = make_optimizer(case["optimizer"], INITIAL_PARAMS)
    params = [group["params"][0] for group in opt.param_groups]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sched = make_scheduler(opt, case["scheduler"])
        history = [[p.tolist() for p in params]]
        for _ in range(case["steps"]):
            for p, target in zip(params, TARGETS):
                p.grad = p.detach() - torch.tensor(target, dtype=torch.float64)
            opt.step()
            sched.step()
            history.append([p.tolist() for p in params])
    result = dict(case)
    result["torch_version"] = torch.__version__
    result["initial_params"] = INITIAL_PARAMS[: len(params)]
    result["targets"] = TARGETS[: len(params)]
    result["params"] = history
    return result


def main():
    os.makedirs(OUT_DIR, exist_ok=True)
    training_dir = os.path.join(OUT_DIR, "training")
    os.makedirs(training_dir, exist_ok=True)
    for case in TRAINING_CASES:
        with open(os.path.join(training_dir, case["name"] + ".json"), "w") as f:
            json.dump(run_training_case(case), f, separators=(",", ":"))
            f.write("\n")
    names = set()
    for case in CASES:
        assert case["name"] not in names, case["name"]
        names.add(case["name"])
        result = run_case(case)
        path = os.path.join(OUT_DIR, case["name"] + ".json")
        with open(path, "w") as f:
            json.dump(result, f, separators=(",", ":"))
            f.write("\n")
    print("wrote %d cases to %s (torch %s)" % (len(CASES), os.path.normpath(OUT_DIR), torch.__version__), file=sys.stderr)


if __name__ == "__main__":
    main()
