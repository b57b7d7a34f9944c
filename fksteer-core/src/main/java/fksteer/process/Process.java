package fksteer.process;

import fksteer.solver.Sampler;
import java.util.List;

/**
 * A generative process that moves particles from noise to data: a model together with its time
 * convention and the samplers that fit it. Every steering method is written once against this
 * interface (and the {@link Chain} it binds for one run), so flows in both time conventions, VP
 * diffusion and, later, masked diffusion all share one FK loop.
 *
 * <p>Implementations: {@link FlowProcess} (flow matching, noise at t = 0 or, SD3/Flux style, at
 * σ = 1) and {@link VpProcess} (DDIM and DDPM over a β schedule).
 */
public interface Process {

    /** The shape of one particle. */
    Shape shape();

    /** Entries of one particle. */
    default int dim() {
        return shape().size();
    }

    /** The process's name in messages and outputs: flow, flow-noise-at-1, vp. */
    String kind();

    /** The model's description (architecture, source). */
    String describe();

    /** The sampler kinds this process runs. */
    List<Sampler.Kind> samplers();

    /** @throws fksteer.io.InvalidSettingException naming sampler, in one line, when s does not fit this process */
    default void requireSampler(Sampler s) {
        if (!samplers().contains(s.kind()))
            throw new fksteer.io.InvalidSettingException("sampler", s.name() + " does not fit a " + kind() + " model; use one of "
                    + String.join(", ", samplers().stream().map(k -> k.cliName).toList()));
    }

    /** The deterministic sampler of lookaheads and noise searches (midpoint for flows, DDIM η = 0 for VP). */
    Sampler deterministicSampler();

    /** The stochastic sampler FK uses by default (the marginal-keeping sde for flows, DDIM η = 1 for VP). */
    Sampler stochasticSampler();

    /** Whether the initial noise is a continuous Gaussian, so that zeroth-order search can perturb it. */
    boolean continuousNoise();

    /** Whether the model has gradients, so that reward-gradient guidance can run. */
    boolean differentiable();

    /**
     * Whether its chains' {@link Chain#sampleData} draws predictions of the data end from a step's
     * cached model output at no network cost: masked diffusion's x̂0 ~ p_θ(x0 | x_t). Continuous
     * processes answer false: their stochastic predictions are lookaheads ({@link Chain#tail}).
     */
    default boolean samplesData() {
        return false;
    }

    /** One run's chain of the given number of steps with scratch for up to capacity particles. */
    Chain chain(Sampler sampler, int steps, int capacity);

    /** The same process counting network evaluations and gradient calls afresh: every run calls this once. */
    Process counted();

    /** Network passes per evaluation of one particle: 2 under classifier-free guidance (the doubled batch), else 1. */
    int passes();

    /** Network evaluations counted so far, summed over points (both halves of a classifier-free guidance batch). */
    long nfe();

    /** Vector-Jacobian products counted so far, summed over points. */
    long gradientCalls();
}
