// Verifying Whereby-Signature in Java 17, JDK only.
//
//   java Verify.java SECRET HEADER BODY_FILE NOW   # exit 0 valid, 1 not

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

public final class Verify {
    // guide:start
    // We recommend 300 seconds either way; Whereby's own example uses 60.
    static final long TOLERANCE_SECONDS = 300;

    /**
     * Whether header (the Whereby-Signature value) signs rawBody, the bytes read
     * from the request, never re-encoded JSON.
     */
    static boolean verify(byte[] secret, String header, byte[] rawBody, long now)
            throws java.security.GeneralSecurityException {
        if (header == null) return false;
        String timestamp = null;
        List<String> signatures = new ArrayList<>();
        for (String item : header.split(",")) {
            String[] pair = item.strip().split("=", 2);
            String value = pair.length == 2 ? pair[1] : "";
            if (pair[0].equals("t")) {
                if (timestamp != null || !value.matches("[0-9]{1,18}")) return false; // malformed
                timestamp = value;
            } else if (pair[0].equals("v1")) {
                signatures.add(value);
            }
        }
        if (timestamp == null || Math.abs(now - Long.parseLong(timestamp)) > TOLERANCE_SECONDS) {
            return false;
        }
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret, "HmacSHA256"));
        mac.update((timestamp + ".").getBytes(StandardCharsets.US_ASCII));
        byte[] expected = mac.doFinal(rawBody);
        for (String given : signatures) {
            try {
                if (MessageDigest.isEqual(expected, HexFormat.of().parseHex(given))) return true;
            } catch (IllegalArgumentException notHex) {
                // not a signature: try the next one
            }
        }
        return false;
    }
    // guide:end

    public static void main(String[] args) throws Exception {
        if (args.length != 4) {
            System.err.println("usage: java Verify.java SECRET HEADER BODY_FILE NOW");
            System.exit(2);
        }
        byte[] secret = args[0].getBytes(StandardCharsets.UTF_8);
        byte[] body = Files.readAllBytes(Path.of(args[2]));
        System.exit(verify(secret, args[1], body, Long.parseLong(args[3])) ? 0 : 1);
    }
}
