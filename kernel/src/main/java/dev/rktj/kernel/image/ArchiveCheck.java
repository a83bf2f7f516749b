package dev.rktj.kernel.image;

import dev.rktj.kernel.appc.ImageManifest;
import dev.rktj.kernel.spi.FetchException;

/**
 * A check that must see an archive's bytes exactly as the fetcher delivered them (compressed, if
 * they were), in the same pass that stages them, and may refuse the archive once its manifest is
 * known: a detached signature covers those bytes, and whose keys count depends on the image's name.
 */
public interface ArchiveCheck {

    /** Checks nothing. */
    ArchiveCheck NONE = new ArchiveCheck() {
        @Override
        public void update(byte[] bytes, int offset, int length) {}

        @Override
        public void finish(ImageManifest manifest) {}
    };

    /** The next bytes of the archive, in order; every byte is passed exactly once. */
    void update(byte[] bytes, int offset, int length);

    /** The archive ended and was a valid ACI with this manifest; throwing refuses it (nothing stays staged). */
    void finish(ImageManifest manifest) throws FetchException;
}
