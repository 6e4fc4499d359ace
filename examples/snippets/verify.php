<?php
// Verifying Whereby-Signature in PHP, no extension beyond the defaults.
//
//   php verify.php SECRET HEADER BODY_FILE NOW   # exit 0 valid, 1 not

declare(strict_types=1);

// guide:start
// We recommend 300 seconds either way; Whereby's own example uses 60.
const TOLERANCE_SECONDS = 300;

/**
 * Whether $header (the Whereby-Signature value) signs $rawBody, the bytes of
 * file_get_contents('php://input'), never re-encoded JSON.
 */
function verify(string $secret, ?string $header, string $rawBody, int $now): bool
{
    if ($header === null) {
        return false;
    }
    $timestamp = null;
    $signatures = [];
    foreach (explode(',', $header) as $item) {
        [$key, $value] = array_pad(explode('=', trim($item), 2), 2, '');
        if ($key === 't') {
            if ($timestamp !== null || preg_match('/^[0-9]+$/D', $value) !== 1) {
                return false; // a repeated or non-numeric t: malformed
            }
            $timestamp = $value;
        } elseif ($key === 'v1') {
            $signatures[] = $value;
        }
    }
    if ($timestamp === null || abs($now - (int) $timestamp) > TOLERANCE_SECONDS) {
        return false;
    }
    $expected = hash_hmac('sha256', $timestamp . '.' . $rawBody, $secret);
    foreach ($signatures as $given) {
        if (hash_equals($expected, $given)) {
            return true;
        }
    }
    return false;
}
// guide:end

if (PHP_SAPI === 'cli' && realpath($argv[0]) === __FILE__) {
    if ($argc !== 5) {
        fwrite(STDERR, "usage: verify.php SECRET HEADER BODY_FILE NOW\n");
        exit(2);
    }
    [, $secret, $header, $bodyFile, $now] = $argv;
    exit(verify($secret, $header, (string) file_get_contents($bodyFile), (int) $now) ? 0 : 1);
}
