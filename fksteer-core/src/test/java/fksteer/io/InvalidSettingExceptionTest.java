package fksteer.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import fksteer.steer.SearchOverPaths;
import java.util.List;
import org.junit.jupiter.api.Test;

class InvalidSettingExceptionTest {

    @Test
    void messagesNameJavaSettingsAndRenameOnRequest() {
        InvalidSettingException e = assertThrows(InvalidSettingException.class, () -> SearchOverPaths.defaults(8, 100).withDeltaF(0.9));
        assertEquals("deltaF must be in [0, tStart), got 0.9", e.getMessage());
        assertEquals(List.of("tStart"), e.related());
        assertEquals("<deltaF> must be in [0, <tStart>), got 0.9", e.message(s -> "<" + s + ">"));
        assertInstanceOf(IllegalArgumentException.class, e);
    }

    @Test
    void onlyWholeWordsAreRenamedAndOnlyOnce() {
        InvalidSettingException e = new InvalidSettingException("resampleStart", "must be below start and tStart", "start", "tStart");
        assertEquals("--resample-start must be below --start and --t-start", e.message(s -> "--" + s.replaceAll("([A-Z])", "-$1").toLowerCase()));
        assertEquals("model: file not found: x.json", new InvalidSettingException("model", ": file not found: x.json").getMessage());
    }
}
