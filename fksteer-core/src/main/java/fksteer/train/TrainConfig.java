package fksteer.train;

/**
 * Settings of flow-matching training; defaults are the reference's (Adam, lr 1e-2, 10,000 steps of
 * 8192 fresh samples, 3 hidden layers of 64). With {@code cosine}, the learning rate decays from lr
 * to 0 along a half cosine over the steps (lr_s = lr (1 + cos(pi s / steps)) / 2).
 */
public record TrainConfig(String dataset, int steps, int batch, double lr, int hidden, int layers, long seed, boolean cosine) {
    public static final int DEFAULT_STEPS = 10_000, DEFAULT_BATCH = 8192, DEFAULT_HIDDEN = 64, DEFAULT_LAYERS = 3;
    public static final double DEFAULT_LR = 1e-2;

    public TrainConfig {
        if (dataset == null || dataset.isBlank()) throw new fksteer.io.InvalidSettingException("dataset", "is required");
        if (steps < 1) throw new fksteer.io.InvalidSettingException("steps", "must be >= 1, got " + steps);
        if (batch < 1) throw new fksteer.io.InvalidSettingException("batch", "must be >= 1, got " + batch);
        if (!(lr > 0) || !Double.isFinite(lr)) throw new fksteer.io.InvalidSettingException("lr", "must be a finite number > 0, got " + lr);
        if (hidden < 1 || hidden > 4096) throw new fksteer.io.InvalidSettingException("hidden", "must be in [1, 4096], got " + hidden);
        if (layers < 1 || layers > 64) throw new fksteer.io.InvalidSettingException("layers", "must be in [1, 64], got " + layers);
    }

    public static TrainConfig defaults(String dataset, long seed) {
        return new TrainConfig(dataset, DEFAULT_STEPS, DEFAULT_BATCH, DEFAULT_LR, DEFAULT_HIDDEN, DEFAULT_LAYERS, seed, false);
    }
}
