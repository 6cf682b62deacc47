import type { Report, Rule } from "../src/core/types.js";
import { className, formatNumber, kindNote, modelKindsOf, originNotes, passedDecay, provenance, rlWeightDecay, settingsChange, valuesReplacedByCheckpoint, CHECKPOINT_NOTE } from "./util.js";

export const weightDecayInRl: Rule<Record<string, never>> = {
  meta: {
    code: "OPT014",
    name: "weight-decay-in-rl",
    type: "problem",
    defaultSeverity: "warning",
    priority: "optimizer-choice",
    fixable: false,
    hasSuggestions: true,
    docs: {
      summary: "Finds weight decay on the policy or value network of a reinforcement-learning agent.",
      whatItDoes:
        "Reports an optimizer construction given a weight_decay known to be greater than zero, at the constructor or in a parameter group, when it trains a reinforcement-learning agent: the file imports an environment or RL library (gym, gymnasium, stable-baselines3, sb3-contrib, PettingZoo, ALE, Procgen, MiniGrid, EnvPool, Unity ML-Agents, dm_control, D4RL, PyBullet envs), or the construction trains one of an actor and a critic network built side by side (`self.actor_local = Actor(...)`, `self.critic_local = Critic(...)`). An import in module-level code says nothing about a construction in module-level code above it, which ran before the library was loaded (a notebook whose supervised section comes before its RL one). Only decay written in the code or config counts; a class default (AdamW's 0.01) is not reported. A transformer trained on logged trajectories (a decision transformer) is supervised sequence modelling and is not reported. When this rule reports a construction, adam-weight-decay (OPT001) and weight-decay-on-bias-norm (OPT005) leave its weight decay alone: the remedy is no decay at all, not a different kind of it. With this rule turned off, they judge that decay as they would in any other network. " +
        CHECKPOINT_NOTE +
        " The default severity is warning: decay on an RL network is almost always a mistake carried over from supervised recipes, but a few agents use it on purpose.",
      whyBad:
        "In reinforcement learning the data changes as the policy changes, and the value targets move with it; the networks must keep adapting. Weight decay pulls every weight toward zero on each step regardless of the return, which fights that adaptation, shrinks the value estimates and slows or destabilizes learning. Standard agents (PPO, SAC, DQN and their reference implementations) train with Adam and no weight decay.",
      badExample:
        "import gymnasium as gym\nimport torch\n\nenv = gym.make(\"CartPole-v1\")\noptimizer = torch.optim.Adam(agent.parameters(), lr=3e-4, weight_decay=1e-4)\n",
      goodExample: "import gymnasium as gym\nimport torch\n\nenv = gym.make(\"CartPole-v1\")\noptimizer = torch.optim.Adam(agent.parameters(), lr=3e-4)\n",
      severityRationale:
        "warning: decay on a policy or value network usually hurts an agent that must keep fitting a moving target, but a few published agents use it on purpose, so it is worth a look rather than a failed build.",
      fixSafety:
        "Never applied by `--fix`: the suggestion sets `weight_decay=0` at the construction (for decay written in parameter groups it only says where to change it). It would be unsafe as a fix, since removing regularization changes what a tuned run learns.",
    },
  },
  // Every finding is about an optimizer construction.
  needs: ["optimizers"],
  defaultOptions: {},
  check(ctx) {
    for (const site of ctx.facts.optimizers) {
      const info = ctx.knowledge.optimizer(site.canonical);
      if (!info || valuesReplacedByCheckpoint(site) || !rlWeightDecay(ctx.facts, site)) continue;
      const decay = passedDecay(site)!;
      const rl = modelKindsOf(ctx.facts, site).get("rl-policy")!;
      const where = decay.inGroup ? " in a parameter group" : "";
      const report: Report = {
        span: site.span,
        reads: [{ site: site.id, name: "weight_decay" }],
        // The value itself is wrong here, whatever kind of decay applies it: the other decay rules' findings on it give way.
        invalidates: [{ site: site.id, name: "weight_decay" }],
        message: `${className(info)} applies weight_decay=${formatNumber(decay.value)}${where}${provenance(decay.source)} to a reinforcement-learning network (${rl.description}); decay pulls the policy and value weights toward zero while their targets keep moving, so RL agents train without it: set weight_decay=0.`,
        related: [kindNote(rl), ...(decay.inGroup ? [{ span: decay.source.span, message: "weight_decay is set here, in a parameter group" }] : []), ...originNotes("weight_decay", decay.source)],
        settingsChange: settingsChange(site, info, { weight_decay: 0 }),
      };
      if (decay.inGroup) {
        report.settingsChange!.before.options.weight_decay = decay.value;
        report.suggestions = [{ desc: "Set weight_decay=0 in the parameter groups", requests: [] }];
      } else {
        report.suggestions = [{ desc: "Set weight_decay=0", requests: [{ kind: "set-argument", site: site.id, name: "weight_decay", value: 0 }] }];
      }
      ctx.report(report);
    }
  },
};
