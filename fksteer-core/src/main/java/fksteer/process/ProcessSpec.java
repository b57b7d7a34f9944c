package fksteer.process;

import fksteer.io.InvalidSettingException;
import fksteer.model.Denoiser;

/**
 * Which process a model was trained for, as the model JSON's {@code "process"} field states it: a
 * flow with noise at t = 0 (this project's convention) or at σ = 1 with a timestep shift (SD3, Flux),
 * or VP diffusion over a β schedule. {@link #bind} joins it with a network into a {@link Process}.
 */
public sealed interface ProcessSpec {

    /** The process of a network predicting p, under condition c. */
    Process bind(Denoiser network, Prediction p, Condition c);

    /** The kind's name: flow, flow-noise-at-1, vp, masked. */
    String kind();

    /** Refuses a prediction this process cannot run: flows take velocity; vp takes epsilon, v or x0. */
    default void requirePrediction(Prediction p) {
        if (this instanceof Masked) {
            InvalidSettingException.require(p == null, "prediction", "does not apply to a masked process: its network gives logits over the vocabulary");
            return;
        }
        InvalidSettingException.require(p != null, "prediction", "is required");
        if (this instanceof Vp)
            InvalidSettingException.require(p != Prediction.VELOCITY, "prediction", "is velocity, but a vp process needs epsilon, v or x0");
        else
            InvalidSettingException.require(p == Prediction.VELOCITY, "prediction", "is " + p.id + ", but a flow process needs velocity");
    }

    /** Today's flow: noise at t = 0. */
    static Flow flow() {
        return new Flow(0, 1.0);
    }

    /**
     * Flow matching. noiseAt 0: x_t = (1 - t) ε + t x, t from 0 to 1; noiseAt 1 (rectified flow as in
     * SD3 and Flux): x_σ = (1 - σ) x + σ ε, σ from 1 to 0, the network seeing σ, its sampling grid
     * shifted to σ' = shift σ / (1 + (shift - 1) σ) (SD3's timestep shift; 1 = none).
     */
    record Flow(int noiseAt, double shift) implements ProcessSpec {
        public Flow {
            InvalidSettingException.require(noiseAt == 0 || noiseAt == 1, "noiseAt", "must be 0 or 1, got " + noiseAt);
            InvalidSettingException.require(shift > 0 && Double.isFinite(shift) && shift <= 1e6, "shift",
                    "must be a number in (0, 1e6], got " + shift);
            InvalidSettingException.require(noiseAt == 1 || shift == 1.0, "shift", "applies to noiseAt 1 only (got noiseAt 0 and shift " + shift + ")",
                    "noiseAt");
        }

        @Override
        public Process bind(Denoiser network, Prediction p, Condition c) {
            return FlowProcess.of(network, p, this, c);
        }

        @Override
        public String kind() {
            return noiseAt == 0 ? "flow" : "flow-noise-at-1";
        }
    }

    /**
     * VP diffusion x_t = sqrt(ᾱ_t) x + sqrt(1 - ᾱ_t) ε over the schedule's training steps; inference steps
     * placed by spacing. clipSample r > 0 clamps every x̂0 the schedulers form to [-r, r] (diffusers'
     * clip_sample with clip_sample_range r, its DDPM default for pixel models), so the last step lands in
     * the data range; 0 = no clipping (exact for models whose data are not bounded).
     */
    record Vp(BetaSchedule schedule, TimestepSpacing spacing, double clipSample) implements ProcessSpec {
        public Vp {
            InvalidSettingException.require(schedule != null, "schedule", "is required");
            InvalidSettingException.require(spacing != null, "timestepSpacing", "is required");
            InvalidSettingException.require(clipSample >= 0 && clipSample <= 1e6, "clipSample", "must be 0 (none) or in (0, 1e6], got " + clipSample);
        }

        /** Without clipping. */
        public Vp(BetaSchedule schedule, TimestepSpacing spacing) {
            this(schedule, spacing, 0);
        }

        @Override
        public Process bind(Denoiser network, Prediction p, Condition c) {
            return VpProcess.of(network, p, this, c);
        }

        @Override
        public String kind() {
            return "vp";
        }
    }

    /**
     * Masked (absorbing-state) diffusion over tokens on MDLM's log-linear schedule: a token is masked
     * with probability (1 - eps) t at time t. Its network is a {@link fksteer.model.TokenDenoiser}, bound by
     * {@link #bindTokens}.
     */
    record Masked(double eps) implements ProcessSpec {
        public Masked {
            InvalidSettingException.require(eps > 0 && eps <= 0.5, "eps", "must be in (0, 0.5], got " + eps);
        }

        /** MDLM's: eps = 1e-3. */
        public static Masked logLinear() {
            return new Masked(MaskedScheduler.DEFAULT_EPS);
        }

        /** @throws InvalidSettingException naming model: a masked process runs a token network, see {@link #bindTokens} */
        @Override
        public Process bind(Denoiser network, Prediction p, Condition c) {
            throw new InvalidSettingException("model", "a masked process needs a token network (logits over a vocabulary), not a network of points");
        }

        /** The process of a token network. */
        public MaskedProcess bindTokens(fksteer.model.TokenDenoiser network) {
            return MaskedProcess.of(network, this);
        }

        @Override
        public String kind() {
            return "masked";
        }
    }
}
