package dev.twinstream.benchmarks.compare;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * A TLS server context with a fresh self-signed certificate for 127.0.0.1, made at start-up by the
 * JDK's own {@code keytool} into a temporary PKCS12 keystore (deleted once loaded): the KPL talks
 * HTTPS only, and shipping a key in the repository would invite reuse. Clients must not verify it
 * (the KPL's {@code setVerifyCertificate(false)}).
 */
final class SelfSignedTls {
    private static final int KEYTOOL_TIMEOUT_SECONDS = 60;
    private static final int VALIDITY_DAYS = 2;

    private SelfSignedTls() {}

    /**
     * Generates the key pair and certificate and builds the context.
     *
     * @return a server-side TLS context
     * @throws IOException if keytool fails or cannot run
     * @throws GeneralSecurityException if the keystore cannot be loaded
     */
    static SSLContext create() throws IOException, GeneralSecurityException {
        char[] password = Long.toHexString(System.nanoTime() ^ Double.doubleToLongBits(Math.random())).toCharArray();
        Path dir = Files.createTempDirectory("null-endpoint-tls");
        Path store = dir.resolve("endpoint.p12");
        String keytool = Paths.get(System.getProperty("java.home"), "bin", "keytool").toString();
        List<String> command = List.of(keytool, "-genkeypair", "-alias", "endpoint", "-keyalg", "RSA", "-keysize", "2048",
                "-dname", "CN=127.0.0.1", "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", String.valueOf(VALIDITY_DAYS),
                "-storetype", "PKCS12", "-keystore", store.toString(), "-storepass", new String(password),
                "-keypass", new String(password), "-noprompt");
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            byte[] output = p.getInputStream().readAllBytes();
            if (!p.waitFor(KEYTOOL_TIMEOUT_SECONDS, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException("keytool failed: " + new String(output, StandardCharsets.UTF_8));
            }
            KeyStore ks = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(store)) {
                ks.load(in, password);
            }
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, password);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(kmf.getKeyManagers(), null, null);
            return context;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while keytool ran", e);
        } finally {
            Files.deleteIfExists(store);
            Files.deleteIfExists(dir);
        }
    }
}
