// The sign-in providers view's GraphQL operations. The client secret is sent, never read:
// the API does not answer it.
import { gql } from '@urql/core';

const PROVIDER = gql`
  fragment OIDCProviderFields on OIDCProvider { id siteID name issuer clientID enabled createdAt }
`;

export const OIDC_PROVIDERS = gql`
  query AllOIDCProviders($siteID: ID) {
    allOIDCProviders(siteID: $siteID) { ...OIDCProviderFields }
    oidcCallbackURL
  }
  ${PROVIDER}
`;

export const ADD_OIDC_PROVIDER = gql`
  mutation AddOIDCProvider($input: AddOIDCProviderInput!) {
    addOIDCProvider(input: $input) { ...OIDCProviderFields }
  }
  ${PROVIDER}
`;

export const UPDATE_OIDC_PROVIDER = gql`
  mutation UpdateOIDCProvider($input: UpdateOIDCProviderInput!) {
    updateOIDCProvider(input: $input) { ...OIDCProviderFields }
  }
  ${PROVIDER}
`;

export const REMOVE_OIDC_PROVIDER = gql`
  mutation RemoveOIDCProvider($input: RemoveOIDCProviderInput!) {
    removeOIDCProvider(input: $input)
  }
`;
