// Must compile with no error. Twenty types the list subfields of its composites
// (additionalEmails, additionalPhones, secondaryLinks) and RAW_JSON fields as `RawJSONScalar`;
// Twenty's SDK maps only `JSON` (to `Record<string, unknown>`), so in a client generated from
// Twenty these take a list. A script written against Twenty passes lists there, and must still
// compile against a client generated from Hookwire with the same scalar mapping.
import type { CompanyCreateInput, PersonCreateInput } from '../generated/core';

export const person: PersonCreateInput = {
  emails: { primaryEmail: 'ada@engines.example', additionalEmails: ['ada@lovelace.example'] },
  phones: {
    primaryPhoneNumber: '5550100',
    primaryPhoneCallingCode: '+44',
    additionalPhones: [{ number: '5550101', callingCode: '+44', countryCode: 'GB' }],
  },
  linkedinLink: {
    primaryLinkUrl: 'https://linkedin.example/ada',
    secondaryLinks: [{ url: 'https://ada.example', label: 'Home' }],
  },
};

export const company: CompanyCreateInput = {
  name: 'Analytical Engines',
  domainName: {
    primaryLinkUrl: 'https://engines.example',
    secondaryLinks: [{ url: 'https://engines.example/blog', label: 'Blog' }],
  },
};
