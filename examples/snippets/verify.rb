# Verifying Whereby-Signature in Ruby, standard library only.
#
#   ruby verify.rb SECRET HEADER BODY_FILE NOW   # exit 0 valid, 1 not
require "openssl"

# guide:start
# We recommend 300 seconds either way; Whereby's own example uses 60.
TOLERANCE_SECONDS = 300

# Whether header (the Whereby-Signature value) signs raw_body, the bytes read
# from the request (request.raw_post in Rails), never re-encoded JSON.
def verify(secret, header, raw_body, now)
  return false if header.nil?
  timestamp = nil
  signatures = []
  header.split(",").each do |item|
    key, value = item.strip.split("=", 2)
    case key
    when "t"
      return false if timestamp || !value.to_s.match?(/\A[0-9]+\z/) # malformed
      timestamp = value
    when "v1"
      signatures << value.to_s
    end
  end
  return false if timestamp.nil? || (now - timestamp.to_i).abs > TOLERANCE_SECONDS
  expected = OpenSSL::HMAC.hexdigest("SHA256", secret, "#{timestamp}.".b + raw_body.b)
  signatures.any? { |given| OpenSSL.secure_compare(expected, given) }
end
# guide:end

if $PROGRAM_NAME == __FILE__
  abort("usage: verify.rb SECRET HEADER BODY_FILE NOW") unless ARGV.length == 4
  secret, header, body_file, now = ARGV
  exit(verify(secret, header, File.binread(body_file), Integer(now, 10)) ? 0 : 1)
end
