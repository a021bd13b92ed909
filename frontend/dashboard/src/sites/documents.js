// Creating a site; the session's sites are read again afterwards (app/documents.js).
import { gql } from '@urql/core';

export const CREATE_SITE = gql`
  mutation CreateSite($input: CreateSiteInput!) {
    createSite(input: $input) { id name }
  }
`;
