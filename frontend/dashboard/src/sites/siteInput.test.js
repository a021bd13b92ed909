import { describe, it, expect } from 'vitest';
import { newSiteInput, originLines } from './siteInput.js';

describe('originLines', () => {
  it('takes one origin a line, skipping blank lines and spaces', () => {
    expect(originLines(' https://a.test \n\n  \nhttp://localhost:8080\r\n')).toEqual(['https://a.test', 'http://localhost:8080']);
    expect(originLines('')).toEqual([]);
  });
});

describe('newSiteInput', () => {
  it('trims the name and splits the origins', () => {
    expect(newSiteInput({ name: '  The Gazette ', allowedOrigins: 'https://gazette.test\nhttps://www.gazette.test' }))
      .toEqual({ name: 'The Gazette', allowedOrigins: ['https://gazette.test', 'https://www.gazette.test'] });
  });

  it('leaves an empty form for the server to refuse field by field', () => {
    expect(newSiteInput({ name: ' ', allowedOrigins: '\n' })).toEqual({ name: '', allowedOrigins: [] });
  });
});
