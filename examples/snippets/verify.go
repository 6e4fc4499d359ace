// Verifying Whereby-Signature in Go, standard library only.
//
//	go run verify.go SECRET HEADER BODY_FILE NOW   # exit 0 valid, 1 not
package main

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"strconv"
	"strings"
)

// guide:start
// We recommend 300 seconds either way; Whereby's own example uses 60.
const toleranceSeconds = 300

// Verify reports whether header (the Whereby-Signature value) signs rawBody,
// the bytes read from the request (io.ReadAll(r.Body)), never re-encoded JSON.
func Verify(secret []byte, header string, rawBody []byte, now int64) bool {
	var timestamp string
	var signatures []string
	for _, item := range strings.Split(header, ",") {
		key, value, _ := strings.Cut(strings.TrimSpace(item), "=")
		switch key {
		case "t":
			if timestamp != "" || value == "" || strings.Trim(value, "0123456789") != "" {
				return false // a repeated or non-numeric t: malformed
			}
			timestamp = value
		case "v1":
			signatures = append(signatures, value)
		}
	}
	t, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil || t < now-toleranceSeconds || t > now+toleranceSeconds {
		return false
	}
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(timestamp + "."))
	mac.Write(rawBody)
	expected := mac.Sum(nil)
	for _, signature := range signatures {
		given, err := hex.DecodeString(signature)
		if err == nil && hmac.Equal(given, expected) {
			return true
		}
	}
	return false
}

// guide:end

func main() {
	if len(os.Args) != 5 {
		os.Stderr.WriteString("usage: verify SECRET HEADER BODY_FILE NOW\n")
		os.Exit(2)
	}
	body, err := os.ReadFile(os.Args[3])
	now, nowErr := strconv.ParseInt(os.Args[4], 10, 64)
	if err != nil || nowErr != nil {
		os.Stderr.WriteString("cannot read the body file or NOW\n")
		os.Exit(2)
	}
	if !Verify([]byte(os.Args[1]), os.Args[2], body, now) {
		os.Exit(1)
	}
}
