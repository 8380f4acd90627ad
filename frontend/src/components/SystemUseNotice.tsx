// The system-use notice (NIST 800-53 AC-8): shown before sign-in and on the About page.

/** NIST SP 800-53 AC-8 system use notification. */
export function SystemUseNotice() {
  return (
    <div className="fap-notice" id="system-use-notice">
      <h2 className="fap-notice__title">System use notice</h2>
      <p>You are accessing a U.S. Government information system, which includes this computer, this network, and all devices and storage media attached to it. This system is provided for U.S. Government-authorized use only.</p>
      <ul>
        <li>Unauthorized or improper use of this system is prohibited and may result in disciplinary action and civil and criminal penalties.</li>
        <li>By using this system you understand and consent that you have no reasonable expectation of privacy regarding any communication or data transiting or stored on it.</li>
        <li>Your use of this system may be monitored, recorded and audited at any time and for any lawful Government purpose, and any information may be disclosed or used for any lawful Government purpose.</li>
      </ul>
    </div>
  );
}
