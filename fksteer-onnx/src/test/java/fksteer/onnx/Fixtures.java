package fksteer.onnx;

import fksteer.io.Models;
import fksteer.io.MixtureModel;
import fksteer.io.Safetensors;
import java.net.URISyntaxException;
import java.nio.file.Path;

/** The ONNX fixtures of src/test/resources/onnx (made by its make_fixtures.py), as paths. */
final class Fixtures {
    private Fixtures() {}

    static Path dir() {
        try {
            return Path.of(Fixtures.class.getResource("/onnx/README.md").toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static Path file(String name) {
        return dir().resolve(name);
    }

    static OnnxModel model(String card) {
        return OnnxModel.load(file(card), OnnxOptions.defaults());
    }

    /** The fixture's mixture file: the exact model the ONNX graph computes. */
    static MixtureModel mixture(String json) {
        return Models.loadMixtureModel(file(json));
    }

    static Safetensors.Contents golden(String name) {
        return Safetensors.read(file("golden/" + name + ".safetensors"));
    }
}
