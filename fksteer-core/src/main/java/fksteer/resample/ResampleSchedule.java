package fksteer.resample;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * When to score and (maybe) resample: the steps s of an S-step grid (t_s = s/S) that lie in
 * [start, end], either `count` of them evenly spread or every `every` steps; optionally adaptive,
 * resampling at a scheduled step only when ESS / k < essThreshold (otherwise the weights carry
 * forward multiplicatively). essThreshold = 1 means always resample at scheduled steps.
 *
 * @param start        first time at which to resample, in [0, 1)
 * @param end          last time, in [start, 1]
 * @param count        number of resampling steps, or 0 when `every` is used
 * @param every        resample every this many steps, or 0 when `count` is used
 * @param essThreshold resample only when ESS/k is below this, in (0, 1]
 */
public record ResampleSchedule(double start, double end, int count, int every, double essThreshold) {

    public ResampleSchedule {
        if (!(start >= 0 && start < 1)) throw new fksteer.io.InvalidSettingException("resampleStart", "must be in [0, 1), got " + start);
        if (!(end >= start && end <= 1)) throw new fksteer.io.InvalidSettingException("resampleEnd", "must be in [resampleStart, 1], got " + end, "resampleStart");
        if (count < 0 || every < 0 || (count > 0) == (every > 0))
            throw new fksteer.io.InvalidSettingException("resampleCount", "or resampleEvery: give exactly one, >= 1 (got " + count + " and " + every + ")", "resampleEvery");
        if (!(essThreshold > 0 && essThreshold <= 1)) throw new fksteer.io.InvalidSettingException("essThreshold", "must be in (0, 1], got " + essThreshold);
    }

    /**
     * FK's default, the reference walkthrough's schedule: 5 resampling steps between t = 0.6 and 0.95,
     * adaptive at ESS/k < 0.5. The study of docs/exactness.md kept it: starting earlier helped on the
     * strong linear tilt of a mixture but hurt FK on the learned checkerboard model.
     */
    public static ResampleSchedule defaults() {
        return new ResampleSchedule(0.6, 0.95, 5, 0, 0.5);
    }

    /** The sorted step indices s in [0, steps) at which particles are scored and possibly resampled. */
    public List<Integer> steps(int steps) {
        int s0 = (int) Math.ceil(start * steps - 1e-9), s1 = Math.min(steps - 1, (int) Math.floor(end * steps + 1e-9));
        s0 = Math.max(s0, 1);
        List<Integer> out = new ArrayList<>();
        if (s1 < s0) return out;
        if (every > 0) {
            for (int s = s0; s <= s1; s += every) out.add(s);
        } else if (count == 1) {
            out.add(s0);
        } else {
            int span = s1 - s0;
            for (int i = 0; i < count; i++) {
                int s = s0 + (int) Math.round((double) i * span / (count - 1));
                if (out.isEmpty() || out.get(out.size() - 1) != s) out.add(s);
            }
        }
        return Collections.unmodifiableList(out);
    }
}
